/** Defaults of {@link StrataNetwork}; kept apart from the builder so a reader sees them at once. */
import { InterfaceVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Three AZs: ElastiCache and Aurora spread replicas over them. */
export const DEFAULT_MAX_AZS = 3;
/** A private range that leaves room for peering with the usual 10.0.0.0/16 networks. */
export const DEFAULT_CIDR = '10.40.0.0/16';
/** Flow logs are kept long enough to investigate an incident after a holiday. */
export const DEFAULT_FLOW_LOG_RETENTION = RetentionDays.THREE_MONTHS;
/**
 * AWS APIs the Lambdas in the VPC call: Secrets Manager, by the origin (its secrets, read at run
 * time) and the database secret's rotation function. The origin signs RDS Proxy tokens locally
 * and ships metrics as log lines (EMF), so it calls no other AWS API.
 */
export const DEFAULT_INTERFACE_ENDPOINTS = [InterfaceVpcEndpointAwsService.SECRETS_MANAGER];
/** Subnet group names, used by the other constructs to pick their subnets. */
export const SUBNET_GROUPS = { public: 'public', app: 'app', data: 'data' } as const;
