import type { z } from 'zod';
import type { Contract } from '../contracts/define.js';
import type { OpContext } from './context.js';

/** A contract bound to the code that carries it out. */
export interface Operation<C extends Contract = Contract> {
  contract: C;
  handler: (input: z.output<C['input']>, ctx: OpContext) => Promise<z.input<C['output']>>;
}

export const implement = <C extends Contract>(contract: C, handler: Operation<C>['handler']): Operation<C> => ({
  contract,
  handler,
});
