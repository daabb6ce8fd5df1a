import type { CommandClass } from 'clipanion';

// Every command class, for the commands that describe all the others (`me completion`). app.ts
// provides the loader, so no command module imports the command list it is part of.
let loader: (() => Promise<CommandClass[]>) | undefined;

export const provideCommands = (load: () => Promise<CommandClass[]>) => {
  loader = load;
};

export async function allCommands(): Promise<CommandClass[]> {
  if (!loader) throw new Error('the command list is not available here');
  return loader();
}
