/**
 * What an AWS region name looks like: the partitions' own patterns (aws, aws-cn, aws-us-gov,
 * the ISO partitions, the European sovereign cloud), as the SDK's partition table writes them.
 * A name outside them (`xx-nowhere-9`) is no region AWS has, whatever its shape.
 */
const REGION_RE = /^(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob|eu-isoe|us-isof|eusc-de)-[a-z]+-\d+$/;

export function isAwsRegion(name: string): boolean {
  return REGION_RE.test(name);
}
