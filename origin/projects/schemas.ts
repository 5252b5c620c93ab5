/**
 * Project request and response schemas, for validation and the OpenAPI document alike.
 */
import { z } from '@hono/zod-openapi';

/** A project as the API returns it. */
export const ProjectSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    visibility: z.enum(['public', 'private']),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Project');

/** `{ data: Project[] }`. */
export const ProjectListSchema = z.object({ data: z.array(ProjectSchema) }).openapi('ProjectList');

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  visibility: z.enum(['public', 'private']),
};

/** `POST /v1/{tenant}/projects`: unknown fields are refused, not ignored. */
export const ProjectCreateSchema = z
  .strictObject({ name: fields.name, description: fields.description.default(''), visibility: fields.visibility.default('private') })
  .openapi('ProjectCreate');

/** `PATCH /v1/{tenant}/projects/{id}`: at least one field. */
export const ProjectPatchSchema = z
  .strictObject({ name: fields.name.optional(), description: fields.description.optional(), visibility: fields.visibility.optional() })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), { message: 'change at least one of name, description, visibility' })
  .openapi('ProjectPatch');
