import { Type } from 'typebox';

/** Shared response schemas (they also drive the OpenAPI document at /docs). */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    }),
  },
  { $id: undefined },
);

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  level: Type.Integer(),
  orgId: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
  status: Type.String(),
  statusReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
