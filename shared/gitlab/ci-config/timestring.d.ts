// timestring ships no type declarations; this is the call we use.
declare module 'timestring' {
  export default function timestring(value: string, returnUnit?: string, options?: Record<string, number>): number;
}
