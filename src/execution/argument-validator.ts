import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default export sits on `.default`.
type AddFormats = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

/** The verdict on one call's arguments. */
export type ArgumentCheck = { ok: true } | { ok: false; message: string; path: string };

/**
 * Validates tool arguments against the registered JSON Schema. Validators are compiled once per
 * distinct schema text and cached; a schema ajv cannot compile is not enforced (the spoke still
 * validates) rather than blocking the tool.
 */
export function createArgumentValidator() {
  const draft07 = new Ajv({ strict: false, allErrors: false, validateFormats: true });
  const draft2020 = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(draft07);
  addFormats(draft2020 as unknown as Ajv);
  const byObject = new WeakMap<object, ValidateFunction | null>();
  const byText = new Map<string, ValidateFunction | null>();

  function compile(schema: Record<string, unknown>): ValidateFunction | null {
    const cached = byObject.get(schema);
    if (cached !== undefined) return cached;
    const text = JSON.stringify(schema);
    let validator = byText.get(text);
    if (validator === undefined) {
      const { $schema, ...rest } = schema;
      const is2020 = typeof $schema === 'string' && $schema.includes('2020-12');
      try {
        validator = (is2020 ? draft2020 : draft07).compile(is2020 ? schema : rest);
      } catch {
        validator = null;
      }
      byText.set(text, validator);
    }
    byObject.set(schema, validator);
    return validator;
  }

  return {
    check(schema: Record<string, unknown>, args: unknown): ArgumentCheck {
      const validate = compile(schema);
      if (!validate || validate(args)) return { ok: true };
      const error = validate.errors?.[0];
      return describe(error);
    },
    /** Compiles ahead of the first call (the snapshot does it on registration). */
    warm(schema: Record<string, unknown>): void {
      compile(schema);
    },
  };
}

function describe(error: ErrorObject | undefined): ArgumentCheck & { ok: false } {
  if (!error) return { ok: false, message: 'arguments do not match the input schema', path: '/' };
  let path = error.instancePath || '/';
  if (error.keyword === 'required')
    path = `${error.instancePath}/${(error.params as { missingProperty: string }).missingProperty}`;
  if (error.keyword === 'additionalProperties') {
    path = `${error.instancePath}/${(error.params as { additionalProperty: string }).additionalProperty}`;
    return { ok: false, path, message: `invalid arguments: ${path} is not an allowed property` };
  }
  return {
    ok: false,
    path,
    message: `invalid arguments: ${error.keyword === 'required' ? path + ' is required' : `${path} ${error.message}`}`,
  };
}

export type ArgumentValidator = ReturnType<typeof createArgumentValidator>;
