-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d),
-- as POSTGRES_USER: one database per service, owned by that user.
CREATE DATABASE registration;
CREATE DATABASE scheduling;
CREATE DATABASE notifications;
CREATE DATABASE webhooks;
