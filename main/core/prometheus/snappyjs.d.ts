// Types for snappyjs (pure-JS snappy, block format), which ships none.
declare module 'snappyjs' {
  /** Throws when the data is not snappy or uncompresses to more than maxLength bytes. */
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(uncompressed: Uint8Array): Uint8Array;
  const SnappyJS: { uncompress: typeof uncompress; compress: typeof compress };
  export default SnappyJS;
}
