\timing on
drop table if exists pets_t;
create unlogged table pets_t (like pets including constraints including defaults including identity);
\copy (select clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at from pets where clinic_id <= 10000) to '/tmp/pets.txt'
\copy (select clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at from pets where clinic_id <= 10000) to '/tmp/pets.bin' (format binary)
copy pets_t (clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at) from '/tmp/pets.txt';
truncate pets_t;
copy pets_t (clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at) from '/tmp/pets.bin' (format binary);
truncate pets_t;
copy pets_t (clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at) from '/tmp/pets.txt';
truncate pets_t;
copy pets_t (clinic_id, id, owner_id, seq, name, pet_type_id, breed, sex, birth_date, microchip, deceased_on, is_deceased, created_at, updated_at) from '/tmp/pets.bin' (format binary);
drop table pets_t;
