/**
 * The fast-check arbitraries of Sisyphus's generated-input tests and of `npm run fuzz`, in one
 * place:
 *
 *   schedules.ts      valid schedules (ISO8601, cron), zones, and schedules that must be refused
 *   jobs.ts           valid Chronos job JSON, every field
 *   job-mutations.ts  hostile variants of valid jobs, each with what the product must answer
 *   requests.ts       HTTP requests: job bodies, path segments, query strings, headers, credentials,
 *                     bodies over the limit
 *   raw-requests.ts   request-line cases sent as bytes (`*`, absolute form, broken HTTP)
 *
 * `anyRequest` is the mixture the fuzzer sends and the server property test samples.
 */
import fc from 'fast-check';
import { rawRequest } from './raw-requests';
import {
  credentialsRequest,
  headerRequest,
  hostileJobRequest,
  manualRunRequest,
  oddPathRequest,
  oversizeRequest,
  previewRequest,
  queryRequest,
  segmentRequest,
  validJobRequest,
  type GenRequest,
} from './requests';

export * from './schedules';
export * from './jobs';
export * from './job-mutations';
export * from './requests';
export * from './raw-requests';

export interface MixOptions {
  /** Every valid job name starts with it. */
  prefix: string;
  /** Existing jobs a dependency job may name as parents. */
  parents: readonly string[];
  /** The server's request body limit, in bytes. */
  bodyLimit: number;
  /** Commands of the generated jobs (the fuzzer's run on a real cluster: keep them harmless). */
  commands?: fc.Arbitrary<string>;
  /** Leave out bodies over the limit (each is 1-3 MiB on the wire). */
  noOversize?: boolean;
}

/** Every kind of generated request, weighted towards job bodies. */
export function anyRequest(o: MixOptions): fc.Arbitrary<GenRequest> {
  const jobOpts = { prefix: o.prefix, parents: o.parents, ...(o.commands ? { commands: o.commands } : {}) };
  const parts: Array<{ weight: number; arbitrary: fc.Arbitrary<GenRequest> }> = [
    { weight: 20, arbitrary: validJobRequest(jobOpts) },
    { weight: 30, arbitrary: hostileJobRequest(jobOpts) },
    { weight: 15, arbitrary: segmentRequest },
    { weight: 4, arbitrary: oddPathRequest },
    { weight: 10, arbitrary: queryRequest },
    { weight: 5, arbitrary: manualRunRequest },
    { weight: 4, arbitrary: previewRequest },
    { weight: 6, arbitrary: headerRequest },
    { weight: 3, arbitrary: credentialsRequest },
    { weight: 4, arbitrary: rawRequest },
  ];
  if (!o.noOversize) parts.push({ weight: 1, arbitrary: oversizeRequest(o.bodyLimit) });
  return fc.oneof(...parts);
}
