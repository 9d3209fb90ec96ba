-- A training database as gdprlab wrote it before the store was split into schema/records/outbox/progress:
-- three attempts of two learners (chained), one roster row, both version tables.
CREATE TABLE attempts (
	id INTEGER NOT NULL,
	attempt_uuid VARCHAR(36) NOT NULL,
	learner VARCHAR(64) NOT NULL,
	lesson VARCHAR(200) NOT NULL,
	quiz VARCHAR(200) NOT NULL,
	bank_version VARCHAR(64) NOT NULL,
	answers TEXT NOT NULL,
	score DOUBLE NOT NULL,
	max_score DOUBLE NOT NULL,
	passed BOOLEAN NOT NULL,
	submitted_at DATETIME NOT NULL,
	previous_hash VARCHAR(64) NOT NULL,
	record_hash VARCHAR(64) NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_attempts_uuid UNIQUE (attempt_uuid),
	CONSTRAINT uq_attempts_chain UNIQUE (learner, previous_hash)
);
INSERT INTO "attempts" VALUES(1,'00000000-0000-4000-8000-000000000000','s1','01_classification','01_classification','2025.1','{"q1":[0]}',8.0,10.0,1,'2025-05-06 07:08:09.123456','0000000000000000000000000000000000000000000000000000000000000000','6e1f6d6357347f9016705cb014e557773ebdd3f53f4f5a8ba1bbfcabb99d9817');
INSERT INTO "attempts" VALUES(2,'00000000-0000-4000-8000-000000000001','s2','01_classification','01_classification','2025.1','{"q1":[1]}',5.0,10.0,0,'2025-05-06 07:09:09.123456','0000000000000000000000000000000000000000000000000000000000000000','e37da17315d06dc091913ca844a9558baa058dbb5c07a89aa8d5dbfdc4d7342f');
INSERT INTO "attempts" VALUES(3,'00000000-0000-4000-8000-000000000002','s1','02_permission','02_permission','2025.1','{"q1":[2]}',9.0,10.0,1,'2025-05-06 07:10:09.123456','6e1f6d6357347f9016705cb014e557773ebdd3f53f4f5a8ba1bbfcabb99d9817','43c3d77041701e25c93a3ab1889440c2c13d28389bc65ee70777f48a86b95213');
CREATE TABLE roster_schema_version (
	version INTEGER NOT NULL,
	description VARCHAR(200) NOT NULL,
	PRIMARY KEY (version)
);
INSERT INTO "roster_schema_version" VALUES(1,'roster_staff table');
CREATE TABLE roster_staff (
	staff_id VARCHAR(64) NOT NULL,
	learner_id VARCHAR(64) NOT NULL,
	name VARCHAR(200) NOT NULL,
	department VARCHAR(200) NOT NULL,
	role VARCHAR(200) NOT NULL,
	crm_access VARCHAR(16) NOT NULL,
	start_date DATE NOT NULL,
	PRIMARY KEY (staff_id),
	UNIQUE (learner_id)
);
INSERT INTO "roster_staff" VALUES('S1','s1','Ann','Sales','rep','standard','2024-01-15');
CREATE TABLE schema_version (
	version INTEGER NOT NULL,
	description VARCHAR(200) NOT NULL,
	applied_at DATETIME NOT NULL,
	PRIMARY KEY (version)
);
INSERT INTO "schema_version" VALUES(1,'attempts table with per-learner hash chain','2025-05-06 07:00:00.000000');
CREATE INDEX ix_attempts_lesson ON attempts (lesson);
CREATE INDEX ix_attempts_learner_id ON attempts (learner, id);
