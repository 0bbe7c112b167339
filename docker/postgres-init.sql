-- Runs once, when the postgres volume is first initialised (/docker-entrypoint-initdb.d).
-- POSTGRES_DB creates `amicable` (the app); this creates `rasa` (Rasa's tracker store).
CREATE DATABASE rasa;
