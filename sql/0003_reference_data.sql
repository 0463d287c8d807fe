-- The species, plans and payment methods the platform offers.
insert into pet_types (id, code, name) values
  (1, 'dog', 'Dog'),
  (2, 'cat', 'Cat'),
  (3, 'rabbit', 'Rabbit'),
  (4, 'bird', 'Bird'),
  (5, 'rodent', 'Rodent'),
  (6, 'reptile', 'Reptile'),
  (7, 'fish', 'Fish'),
  (8, 'horse', 'Horse'),
  (9, 'ferret', 'Ferret'),
  (10, 'other', 'Other');

insert into subscription_types (id, code, name, duration_months, price) values
  (1, 'monthly', 'Monthly', 1, 49.00),
  (2, 'quarterly', 'Quarterly', 3, 139.00),
  (3, 'semiannual', 'Half-yearly', 6, 269.00),
  (4, 'annual', 'Annual', 12, 499.00);

insert into payment_methods (id, code, name) values
  (1, 'card', 'Card'),
  (2, 'bank_transfer', 'Bank transfer'),
  (3, 'cash', 'Cash'),
  (4, 'invoice', 'Invoice');
