// The audit trail for desk officers: by entity, entity id and actor, newest
// first, a page at a time (`before` is the id of the last entry seen).
import type { FastifyInstance } from 'fastify';
import type { DeskContext } from '../context.ts';

export default async function auditRoutes(app: FastifyInstance, { ctx }: { ctx: DeskContext }) {
  const { store } = ctx;

  app.get(
    '/api/audit',
    {
      config: { access: 'desk' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            entity: { type: 'string', maxLength: 64 },
            entityId: { type: 'string', maxLength: 200 },
            actor: { type: 'string', maxLength: 200 },
            before: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { entity?: string; entityId?: string; actor?: string; before?: string; limit?: string };
      const page = await store.searchAudit({
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.entityId ? { entityId: q.entityId } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.before ? { before: Number(q.before) } : {}),
        limit: q.limit ? Number(q.limit) : 200,
      });
      return { entries: page.entries, more: page.more, next: page.more ? page.entries.at(-1)!.id : null };
    },
  );
}
