/**
 * `@x/inkpass`: the inkPass auth/permission SDK and the Den file client. Runs in Node, browsers and edge
 * runtimes; server middleware is in `@x/inkpass/hono` and `@x/inkpass/express`, the fake server in
 * `@x/inkpass/testing`.
 *
 * @module
 */

// The http-core errors a call can also raise (AbortError, ResponseValidationError, …), so callers need one
// import. inkPass's own classes above keep the Python SDK's names (AuthenticationError, …) and extend http-core's.
export {
  AbortError,
  BadRequestError,
  ConflictError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  type TransferProgress,
  UnprocessableEntityError,
  XError,
  type XErrorCode,
  type XErrorOptions,
} from '@x/http-core';
export {
  type CallOptions,
  type CheckoutInput,
  type ConfigureBillingInput,
  type CreateApiKeyInput,
  type EnableTwoFactorInput,
  InkPassClient,
  type LoginInput,
  type PermissionContext,
  type PermissionPair,
  type RegisterInput,
  type ResetPasswordInput,
  type TemplateSync,
  type UpdateProfileInput,
} from './client.ts';
export type { InkPassConfig, ResolvedConfig } from './config.ts';
export {
  AIOS_PERMISSIONS,
  AIOS_RESOURCES,
  ALL_PERMISSIONS,
  type DevService,
  formatPermissionsForApi,
  INKPASS_PERMISSIONS,
  INKPASS_RESOURCES,
  MIMIC_PERMISSIONS,
  MIMIC_RESOURCES,
  newPermissions,
  permissionsForPreset,
  permissionsForService,
  ROLE_PRESETS,
  type RolePreset,
  SERVICE_PERMISSIONS,
  TENTACLE_PERMISSIONS,
  TENTACLE_RESOURCES,
} from './dev-permissions.ts';
export {
  AuthenticationError,
  type FieldError,
  InkPassError,
  type InkPassErrorFields,
  type InkPassErrorOptions,
  PermissionDeniedError,
  RateLimitError,
  ResourceNotFoundError,
  ServiceUnavailableError,
  ValidationError,
} from './errors.ts';
export {
  type DownloadedFile,
  type DownloadOptions,
  FileClient,
  type FileClientConfig,
  type ListFilesInput,
  MAX_FILE_SIZE_BYTES,
  type UploadData,
  type UploadInput,
  type UploadOptions,
  UserFileClient,
  type UserFileClientConfig,
  type UserListFilesInput,
  type UserUploadInput,
} from './files.ts';
export type {
  AcceptedInvitation,
  ApiKeyInfoResponse,
  ApiKeyResponse,
  ApiKeySummary,
  BillingConfigResponse,
  CheckoutResponse,
  EffectivePermission,
  FileListResponse,
  FileResponse,
  Group,
  Invitation,
  InvitationCheck,
  Member,
  Organization,
  OrganizationTemplate,
  OrgUser,
  OrgUserDetail,
  PermissionResponse,
  ProfileResponse,
  RegistrationResponse,
  Role,
  SubscriptionResponse,
  Template,
  TemplateDetail,
  TokenResponse,
  TwoFactorEnableResponse,
  TwoFactorSetup,
  UserPermissions,
  UserResponse,
  UserRole,
} from './models.ts';
export { type TwoFactorQrCodeOptions, twoFactorQrCode } from './qr.ts';
export { VERSION } from './version.ts';
