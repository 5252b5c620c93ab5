/**
 * The app's closed set of metric labels: its data types (the policies' labels), and the design's
 * hit-ratio target for each. Sinks drop any other label, so no caller can mint a time series.
 */
import type { DataType } from '../../common/keys.ts';

/** Hit-ratio targets per data type, from the design (docs/architecture.md, "Design targets"). */
export const HIT_RATIO_TARGETS: Readonly<Record<DataType, number | undefined>> = {
  session: 0.95,
  config: 0.9,
  user: 0.85,
  api: 0.7,
  resource: undefined,
};

/** Every data type, in the order of `HIT_RATIO_TARGETS`. */
export const DATA_TYPES = Object.keys(HIT_RATIO_TARGETS) as DataType[];

/** Whether `value` is one of the data types. */
export function isDataType(value: unknown): value is DataType {
  return typeof value === 'string' && Object.hasOwn(HIT_RATIO_TARGETS, value);
}
