/**
 * Every typed error an endpoint can answer with, as a problem document with its HTTP status: 400 bad input,
 * 401 no or bad credentials, 403 role too low, 404 not found (a restricted registry the caller cannot see is the
 * same 404 as a missing one), 409 conflicts and type mismatches, 413 too large, 500 server failure, 503 store down.
 */
import {
  AliasNotFound,
  ApiKey,
  ArtifactNotFound,
  ArtifactTypeMismatch,
  ArtifactVersionDeleted,
  ArtifactVersionNotFound,
  BlobDigestMismatch,
  BlobNotFound,
  BlobStoreUnavailable,
  CannotUnlinkSource,
  CollectionAlreadyExists,
  CollectionNotFound,
  CollectionTypeMismatch,
  ConflictRetriesExhausted,
  DisplayNameTaken,
  EntityNameTaken,
  EntityNotFound,
  EntityNotWritable,
  EventIdReused,
  InsufficientRole,
  InvalidName,
  InvalidPath,
  LinkedVersionNotFound,
  NoOrganization,
  NotAnOrganizationMember,
  NotATeamMember,
  OrganizationAmbiguous,
  OrganizationNotFound,
  OrganizationRequired,
  OrganizationRoleRequired,
  PersonalEntityCannotLink,
  Promotion,
  ProtectedAliasRequiresAdmin,
  Projector,
  RegistryAlreadyExists,
  RegistryNotFound,
  RevertIncomplete,
  SourceVersionProtected,
  TagNotFound,
  TeamNotFound,
  TeamNotInOrganization,
  TypeNotAccepted,
  UserCreationRefused,
  UserNotFound,
  VersionConflict,
  VisibilityChangeRefused
} from "@registrar/domain"
import {
  InternalError,
  InvalidCursor,
  InvalidRequest,
  PayloadTooLarge,
  problem,
  RouteNotFound,
  ServiceUnavailable,
  Unauthorized
} from "./Problem.js"
import type { Schema } from "effect"

/** Each error the API answers with, and its HTTP status. */
export const statuses = [
  [InvalidRequest, 400],
  [InvalidCursor, 400],
  [InvalidName, 400],
  [InvalidPath, 400],
  [OrganizationRequired, 400],
  [NoOrganization, 400],
  [OrganizationAmbiguous, 400],
  [CannotUnlinkSource, 400],
  [Promotion.InvalidPromotion, 400],
  [Promotion.AliasMovedSince, 409],
  [RevertIncomplete, 409],
  [TagNotFound, 404],
  [Projector.InvalidAsOfTime, 400],
  [ApiKey.InvalidApiKeyName, 400],
  [Unauthorized, 401],
  [InsufficientRole, 403],
  [OrganizationRoleRequired, 403],
  [EntityNotWritable, 403],
  [ProtectedAliasRequiresAdmin, 403],
  [NotATeamMember, 403],
  [ApiKey.ApiKeyOwnerRequired, 403],
  [UserCreationRefused, 403],
  [RouteNotFound, 404],
  [OrganizationNotFound, 404],
  [TeamNotFound, 404],
  [UserNotFound, 404],
  [EntityNotFound, 404],
  [ArtifactNotFound, 404],
  [ArtifactVersionNotFound, 404],
  [RegistryNotFound, 404],
  [CollectionNotFound, 404],
  [LinkedVersionNotFound, 404],
  [AliasNotFound, 404],
  [BlobNotFound, 404],
  [ApiKey.ApiKeyNotFound, 404],
  [EntityNameTaken, 409],
  [DisplayNameTaken, 409],
  [NotAnOrganizationMember, 409],
  [ArtifactTypeMismatch, 409],
  [RegistryAlreadyExists, 409],
  [VisibilityChangeRefused, 409],
  [CollectionAlreadyExists, 409],
  [CollectionTypeMismatch, 409],
  [TypeNotAccepted, 409],
  [PersonalEntityCannotLink, 409],
  [TeamNotInOrganization, 409],
  [SourceVersionProtected, 409],
  [ArtifactVersionDeleted, 409],
  [VersionConflict, 409],
  [ConflictRetriesExhausted, 409],
  [EventIdReused, 409],
  [ApiKey.ApiKeyPrefixTaken, 409],
  [PayloadTooLarge, 413],
  [InternalError, 500],
  [BlobDigestMismatch, 500],
  [BlobStoreUnavailable, 503],
  [ServiceUnavailable, 503],
  [Projector.ReadModelsLagging, 503]
] as const

/** The HTTP status of an error tag (500 for a tag the API does not know). */
export const statusOf = (tag: string): number => statuses.find(([error]) => error._tag === tag)?.[1] ?? 500

/** Any error of the table above. */
export type ApiError = InstanceType<(typeof statuses)[number][0]>

/** Every error above as a problem-document schema, for `HttpApi.addError`. */
export const problems = statuses.map(([error, status]) =>
  problem(error as unknown as Schema.Schema<ApiError, unknown>, status)
)
