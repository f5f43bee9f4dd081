/**
 * One HTTP/1.1 response read off a raw socket, incrementally: status line and headers, the chunked
 * body, then the SSE frames in it. Cheap enough to run 10,000 at once in one process.
 */
export interface Frame { id?: string, event?: string, retry?: string, data?: string }

export function parseFrame(text: string): Frame {
  const frame: Frame = {}
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon === 0) continue // a comment: the heartbeat
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(line[colon + 1] === ' ' ? colon + 2 : colon + 1)
    if (field === 'data') frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`
    else if (field === 'id' || field === 'event' || field === 'retry') frame[field] = value
  }
  return frame
}

/**
 * One HTTP/1.1 response off a raw socket: status line and headers, the chunked body, then SSE frames.
 * Bytes are read as latin1 (one char per byte), so chunk sizes can be counted on the string; '\n'
 * never occurs inside a UTF-8 sequence, and what we read from frames (ids, names, numbers) is ASCII.
 */
export class ResponseReader {
  status = 0
  /** The terminating zero-size chunk arrived: the server ended the response. */
  ended = false
  private headDone = false
  private chunked = false
  private state: 'size' | 'data' | 'crlf' = 'size'
  private chunkLeft = 0
  private raw = ''
  private sse = ''

  push(bytes: Buffer, onFrame: (frame: Frame) => void): void {
    this.raw += bytes.toString('latin1')
    if (!this.headDone) {
      const end = this.raw.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = this.raw.slice(0, end)
      this.status = Number(head.slice(9, 12))
      this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head)
      this.raw = this.raw.slice(end + 4)
      this.headDone = true
    }
    if (this.chunked) this.dechunk()
    else {
      this.sse += this.raw
      this.raw = ''
    }
    if (this.status !== 200) return
    let end: number
    while ((end = this.sse.indexOf('\n\n')) >= 0) {
      const text = this.sse.slice(0, end)
      this.sse = this.sse.slice(end + 2)
      onFrame(parseFrame(text))
    }
  }

  private dechunk(): void {
    while (this.raw.length > 0 && !this.ended) {
      if (this.state === 'size') {
        const eol = this.raw.indexOf('\r\n')
        if (eol < 0) return
        this.chunkLeft = Number.parseInt(this.raw.slice(0, eol), 16)
        this.raw = this.raw.slice(eol + 2)
        if (this.chunkLeft === 0) this.ended = true
        else this.state = 'data'
      }
      else if (this.state === 'data') {
        const take = Math.min(this.chunkLeft, this.raw.length)
        this.sse += this.raw.slice(0, take)
        this.raw = this.raw.slice(take)
        this.chunkLeft -= take
        if (this.chunkLeft === 0) this.state = 'crlf'
      }
      else {
        if (this.raw.length < 2) return
        this.raw = this.raw.slice(2)
        this.state = 'size'
      }
    }
  }
}
