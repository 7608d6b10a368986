-- The app user (all privileges: the services create their databases) and the Debezium CDC user.
-- Kept identical to mariadbUsersSql() in cli/src/lib/runtime/templates.ts by a unit test.
CREATE USER IF NOT EXISTS 'oms'@'%' IDENTIFIED BY 'oms';
ALTER USER 'oms'@'%' IDENTIFIED BY 'oms';
GRANT ALL PRIVILEGES ON *.* TO 'oms'@'%' WITH GRANT OPTION;
CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY 'dbz';
ALTER USER 'debezium'@'%' IDENTIFIED BY 'dbz';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, LOCK TABLES ON *.* TO 'debezium'@'%';
FLUSH PRIVILEGES;
