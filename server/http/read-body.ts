import type { IncomingMessage } from 'node:http';
import { AppError } from '../../contracts/errors.js';
import { tooLarge } from './edge.js';

/**
 * A request body as text, buffering at most `max` bytes: past that (a chunked body says its size
 * only as it comes) it rejects with 413's error at once and stops reading.
 */
export function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: Error) => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return stop(tooLarge(max, true));
      chunks.push(chunk);
    };
    const onEnd = () => {
      req.off('close', onClose);
      // TextDecoder's default, as Fetch's text(): a leading byte-order mark is not part of the text.
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onError = () => stop(aborted());
    const onClose = () => { if (!req.complete) stop(aborted()); };
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

const aborted = () => new AppError('VALIDATION_ERROR', 'the request body ended before its declared end (the client went away?)', { reason: 'INVALID_JSON' });
