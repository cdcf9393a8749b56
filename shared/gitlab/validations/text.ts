/** Text Ruby would take as UTF-8: no lone surrogate (a `/u` pattern sees a surrogate pair as one character). */
export const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);
