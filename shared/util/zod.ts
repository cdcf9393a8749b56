/**
 * The zod functions our edges use, re-exported. Importing zod's own `z` namespace drags every
 * error-message locale into a Lambda bundle (about 450 KiB minified); importing this module as a
 * namespace lets esbuild keep only what is used. Use `import * as z from '…/util/zod'`.
 */
export { any, array, boolean, custom, enum, int, iso, literal, looseObject, null, number, object, preprocess, record, string, union, unknown } from 'zod';
export type { core, infer, ZodType } from 'zod';
