import {
  FlowLogDestination,
  FlowLogTrafficType,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
  type InterfaceVpcEndpointAwsService,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_CIDR, DEFAULT_FLOW_LOG_RETENTION, DEFAULT_INTERFACE_ENDPOINTS, DEFAULT_MAX_AZS, SUBNET_GROUPS } from './defaults.ts';

/** Props of {@link StrataNetwork}. */
export interface StrataNetworkProps {
  /** Explicit AZ names; needed for more than two AZs when the account is not known at synth. @default the stack's AZs, up to `maxAzs` */
  readonly availabilityZones?: string[];
  /** @default 3 */
  readonly maxAzs?: number;
  /** NAT gateways for the app subnets' egress (purge webhooks to the edge). @default one per AZ */
  readonly natGateways?: number;
  /** @default 10.40.0.0/16 */
  readonly cidr?: string;
  /** @default [Secrets Manager] */
  readonly interfaceEndpoints?: InterfaceVpcEndpointAwsService[];
  /** @default three months */
  readonly flowLogRetention?: RetentionDays;
}

/**
 * The VPC: public subnets for NAT only, `app` subnets (with egress) for the Lambdas and the
 * endpoints, isolated `data` subnets for ElastiCache, Aurora and RDS Proxy. It also owns the
 * Lambdas' security group, which opens nothing by default: the data constructs allow it in on
 * their ports, and its only other way out is HTTPS (webhooks to the edge, AWS endpoints).
 */
export class StrataNetwork extends Construct {
  readonly vpc: Vpc;
  /** Security group of every Lambda function in the VPC. */
  readonly lambdaSecurityGroup: SecurityGroup;
  /** Where the Lambdas run. */
  readonly appSubnets: SubnetSelection = { subnetGroupName: SUBNET_GROUPS.app };
  /** Where the data stores run: no route to or from the internet. */
  readonly dataSubnets: SubnetSelection = { subnetGroupName: SUBNET_GROUPS.data };

  constructor(scope: Construct, id: string, props: StrataNetworkProps = {}) {
    super(scope, id);
    const maxAzs = props.maxAzs ?? DEFAULT_MAX_AZS;
    const cidr = props.cidr ?? DEFAULT_CIDR;
    if (props.availabilityZones && props.availabilityZones.length < 2) {
      throw new Error('StrataNetwork: availabilityZones needs at least two AZs (Multi-AZ ElastiCache and Aurora)');
    }
    if (!props.availabilityZones && maxAzs < 2) throw new Error(`StrataNetwork: maxAzs must be at least 2 (Multi-AZ), got ${maxAzs}`);
    const azCount = props.availabilityZones?.length ?? maxAzs;
    const natGateways = props.natGateways ?? azCount;
    if (natGateways < 1 || natGateways > azCount) {
      throw new Error(`StrataNetwork: natGateways must be between 1 and the number of AZs (${azCount}), got ${natGateways}`);
    }

    const flowLogs = new LogGroup(this, 'FlowLogs', { retention: props.flowLogRetention ?? DEFAULT_FLOW_LOG_RETENTION });
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr(cidr),
      ...(props.availabilityZones ? { availabilityZones: props.availabilityZones } : { maxAzs }),
      natGateways,
      subnetConfiguration: [
        { name: SUBNET_GROUPS.public, subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: SUBNET_GROUPS.app, subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
        { name: SUBNET_GROUPS.data, subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 22 },
      ],
      flowLogs: { all: { destination: FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: FlowLogTrafficType.ALL } },
    });

    this.lambdaSecurityGroup = new SecurityGroup(this, 'LambdaSecurityGroup', {
      vpc: this.vpc,
      description: 'Strata Lambdas: out to Redis and RDS Proxy (rules added by them) and HTTPS',
      allowAllOutbound: false,
    });
    this.lambdaSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS: purge webhooks to the edge, AWS endpoints');

    for (const service of props.interfaceEndpoints ?? DEFAULT_INTERFACE_ENDPOINTS) {
      const endpoint = this.vpc.addInterfaceEndpoint(`Endpoint-${service.shortName}`, {
        service,
        subnets: this.appSubnets,
        privateDnsEnabled: true,
        open: false,
      });
      // HTTPS from inside the VPC only (the rotation function's security group is CDK-made).
      endpoint.connections.allowDefaultPortFrom(Peer.ipv4(cidr), 'HTTPS from the VPC');
    }
  }
}
