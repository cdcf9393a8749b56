import { addError, checkLength, type ModelErrors } from './messages';
import { isWellFormed } from './text';

/**
 * GitLab's `User` validations on the fields `POST /users` takes: name ≤ 255, the username's
 * characters and length (its namespace's path rules, reported on `username`), an email address.
 * GitLab leaves the email's length to its database; ours is 255 (see the README).
 */
export interface UserFields {
  username: string;
  name: string;
  email: string;
}

const USERNAME_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$/;
const USERNAME_MESSAGE = "can contain only letters, digits, '_', '-' and '.'";
// Devise's `email_regexp`.
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+$/;

export function userErrors(user: UserFields): ModelErrors {
  const errors: ModelErrors = {};
  checkLength(errors, 'name', user.name, 255);
  if (!EMAIL_PATTERN.test(user.email) || !isWellFormed(user.email) || user.email.includes('\0')) addError(errors, 'email', 'is invalid');
  checkLength(errors, 'email', user.email, 255);
  checkLength(errors, 'username', user.username, 255);
  if (!USERNAME_PATTERN.test(user.username)) addError(errors, 'username', USERNAME_MESSAGE);
  return errors;
}
