const encoder = new TextEncoder()
const digest = (token: string) => crypto.subtle.digest('SHA-256', encoder.encode(token))

// The configured token is fixed for the life of the process: its digest is worked out once.
let cachedExpected: { token: string, digest: Promise<ArrayBuffer> } | undefined
function expectedDigest(token: string): Promise<ArrayBuffer> {
  if (cachedExpected?.token !== token) cachedExpected = { token, digest: digest(token) }
  return cachedExpected.digest
}

/**
 * Compares SHA-256 digests, byte by byte, always all 32 bytes: the time taken says nothing about how
 * much of the token was right, nor its length. Web Crypto, so it runs on every Nitro preset.
 */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const left = new Uint8Array(await digest(given))
  const right = new Uint8Array(await expectedDigest(expected))
  let difference = 0
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!
  return difference === 0
}
