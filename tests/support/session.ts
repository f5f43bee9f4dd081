/** Signs in on `baseUrl` by name (the demo sign-in) and returns the session cookie to send back. */
export async function signIn(baseUrl: string, name: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (!response.ok) throw new Error(`sign-in as ${name} answered ${response.status}: ${await response.text()}`)
  const cookie = response.headers.getSetCookie().find(line => line.startsWith('nuxt-session='))
  if (!cookie) throw new Error('sign-in set no nuxt-session cookie')
  return cookie.split(';')[0]!
}
