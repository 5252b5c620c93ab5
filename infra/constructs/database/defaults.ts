/** Defaults of {@link OriginDatabase}. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AuroraPostgresEngineVersion } from 'aws-cdk-lib/aws-rds';

export const DEFAULT_ENGINE_VERSION = AuroraPostgresEngineVersion.VER_17_5;
export const DEFAULT_DATABASE_NAME = 'strata';
/** The owner (Aurora's admin user): migrations only. */
export const DEFAULT_USERNAME = 'strata';
/** The application's role, created by the migrator (origin/db/app-role.ts, same default). */
export const DEFAULT_APP_USERNAME = 'strata_app';
/** Aurora Capacity Units: half a unit idles cheaply; four serve a busy small deployment. */
export const DEFAULT_MIN_CAPACITY = 0.5;
export const DEFAULT_MAX_CAPACITY = 4;
/** One reader in another AZ: a failover target that also scales with the writer. */
export const DEFAULT_READERS = 1;
export const DEFAULT_BACKUP_RETENTION = Duration.days(14);
export const DEFAULT_ROTATION_INTERVAL = Duration.days(30);
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;
export const DEFAULT_REMOVAL_POLICY = RemovalPolicy.SNAPSHOT;
/** RDS Proxy listens on PostgreSQL's port whatever the cluster's. */
export const PROXY_PORT = 5432;
