/**
 * The Lambda's clients: real AWS, with the role's credentials Lambda puts in the environment,
 * read from the env the handler was given. Never the embedded local AWS.
 */
import { chooseTarget } from '../aws/target.js';
import { createClients, type AwsClients } from '../aws/clients.js';

export function lambdaClients(env: NodeJS.ProcessEnv): AwsClients {
  const choice = chooseTarget({}, env);
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  const base = choice.kind === 'aws' ? choice : { kind: 'aws' as const, region: choice.region, endpoints: {}, reason: 'Lambda' };
  return createClients({ ...base, credentials });
}
