/**
 * A GitLab model's validation errors as Rails keeps them: attribute → messages, in the order the
 * validations ran. Endpoints answer them either whole (`render_validation_error!`:
 * `{"message": {"name": ["is too long (maximum is 255 characters)"]}}`) or as Rails' full
 * messages in one sentence (`Description is too long (maximum is 1024 characters)`).
 */
export type ModelErrors = Record<string, string[]>;

export const tooLong = (maximum: number) => `is too long (maximum is ${maximum} characters)`;

export function addError(errors: ModelErrors, attribute: string, message: string): void {
  (errors[attribute] ??= []).push(message);
}

/** Rails' `length: { maximum }`, counted in characters (code points), as Ruby counts them. */
export function checkLength(errors: ModelErrors, attribute: string, value: string | null | undefined, maximum: number): void {
  if (value === null || value === undefined || value.length <= maximum) return;
  if ([...value].length > maximum) addError(errors, attribute, tooLong(maximum));
}

export const hasErrors = (errors: ModelErrors) => Object.keys(errors).length > 0;

/** `errors.full_messages.to_sentence`: `Description is too long (…)`, `A and B`, `A, B, and C`. */
export function fullMessagesSentence(errors: ModelErrors): string {
  const messages = Object.entries(errors).flatMap(([attribute, list]) => {
    const human = attribute.replace(/_/g, ' ');
    return list.map((message) => `${human[0].toUpperCase()}${human.slice(1)} ${message}`);
  });
  if (messages.length <= 2) return messages.join(' and ');
  return `${messages.slice(0, -1).join(', ')}, and ${messages[messages.length - 1]}`;
}
