-- btree_gist lets a GiST index combine scalar equality (barber_id WITH =) with range overlap
-- (tstzrange WITH &&): the appointments_no_overlap exclusion constraint needs it.
-- IF NOT EXISTS keeps this safe on databases where an operator pre-installed it.
-- gen_random_uuid() (uuid defaults) is core since PostgreSQL 13: no pgcrypto needed.
CREATE EXTENSION IF NOT EXISTS btree_gist;
