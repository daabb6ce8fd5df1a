import type { CommandClass } from 'clipanion';
import { ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand, GrantListCommand, GrantRemoveCommand, GrantSetCommand } from './access.js';
import { CompletionCommand } from './completion.js';
import { DoctorCommand } from './doctor.js';
import { EditCommand } from './edit.js';
import { InitCommand } from './init.js';
import { RecallCommand } from './recall.js';
import { InviteAcceptCommand, InviteCreateCommand, InviteListCommand, InviteRevokeCommand } from './invite.js';
import { ServeCommand } from './serve.js';
import { LoginCommand, LogoutCommand, StatusCommand, VersionCommand, WhoamiCommand } from './session.js';
import { SpaceCreateCommand, SpaceDeleteCommand, SpaceListCommand, SpaceRenameCommand, SpaceUseCommand } from './space.js';
import { ExportCommand, ImportCommand } from './transfer.js';
import { ConnectorListCommand, ConnectorRevokeCommand, McpCommand, McpInstallCommand, McpUninstallCommand } from './mcp.js';

/** The hand-written commands (the memory commands are derived from the contracts, see memory.ts). */
export const staticCommands: CommandClass[] = [
  LoginCommand, LogoutCommand, WhoamiCommand, StatusCommand, DoctorCommand, VersionCommand, ServeCommand, CompletionCommand,
  SpaceListCommand, SpaceCreateCommand, SpaceRenameCommand, SpaceDeleteCommand, SpaceUseCommand,
  GrantSetCommand, GrantRemoveCommand, GrantListCommand,
  ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand,
  InviteCreateCommand, InviteListCommand, InviteRevokeCommand, InviteAcceptCommand,
  EditCommand, ImportCommand, ExportCommand,
  McpCommand, McpInstallCommand, McpUninstallCommand, InitCommand, RecallCommand, ConnectorListCommand, ConnectorRevokeCommand,
] as unknown as CommandClass[];
