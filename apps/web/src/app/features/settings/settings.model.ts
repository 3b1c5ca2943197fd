import type { SetupStatus } from '../../core/auth/session.model';

/** `GET /api/v1/tool-grants`: a tool that runs without asking, always (`conversationId` null) or in one conversation. */
export interface ToolGrant {
  readonly id: string;
  /** `server__tool`. */
  readonly tool: string;
  readonly conversationId: string | null;
  readonly createdAt: string;
}

/** A qualified tool name, `server__tool`, in its two parts. */
export function toolParts(qualified: string): { server: string; tool: string } {
  const at = qualified.indexOf('__');
  return at < 0 ? { server: '', tool: qualified } : { server: qualified.slice(0, at), tool: qualified.slice(at + 2) };
}

export type Role = 'admin' | 'member';

/** `GET /api/v1/admin/invitations`. */
export interface Invitation {
  readonly id: string;
  /** Only this email may use it; anyone when null. */
  readonly email: string | null;
  readonly role: Role;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly usedBy: string | null;
}

/** `POST /api/v1/admin/invitations`: the token is shown this once. */
export interface CreatedInvitation {
  readonly token: string;
  readonly invitation: Invitation;
}

export type RegistrationPolicy = SetupStatus['registration'];

/** Who may create an account under each `REGISTRATION` policy, in words. */
export const registrationPolicies: Readonly<Record<RegistrationPolicy, string>> = {
  open: 'Open: anyone who reaches this instance can create an account, and joins as a member.',
  invite: 'By invitation: people create an account with an invitation from an admin, made below, and get the role it names.',
  closed: 'Closed: nobody can create an account; only the accounts there are can sign in.',
};
