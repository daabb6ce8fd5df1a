/** The person said no (or nothing) at a confirmation: the command stops, nothing was changed. */
export class Cancelled extends Error {}

/** Asks a yes/no question on the terminal; only "y" or "yes" is a yes. */
export async function ask(input: NodeJS.ReadableStream, output: NodeJS.WritableStream, question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input, output });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
