import { formatErrors, formatWarnings } from '../jobspec/validate';

/** Nomad's JobValidateResponse: what a register would refuse, as an answer instead of an error. */
export function jobValidateResponse(problems: { errors: string[]; warnings: string[] }) {
  const { errors, warnings } = problems;
  return {
    // Nomad leaves driver configuration to the clients and says so with `true`.
    DriverConfigValidated: true,
    ValidationErrors: errors.length > 0 ? errors : null,
    Error: errors.length > 0 ? formatErrors(errors) : '',
    Warnings: formatWarnings(warnings),
  };
}
