/** `POST /v1/models/:name/predict`: rows in, one scored prediction per row out. */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { parsePredictBody } from './predict-input.js';
import { scoreRequest } from './scoring.js';

export function predictRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { name: string } }>(
    '/v1/models/:name/predict',
    { config: { action: 'predict' } },
    async (request) => {
      const { name } = request.params;
      const input = parsePredictBody(request.body, ctx.maxRows);
      const rows = await scoreRequest(ctx, request, name, input);
      return {
        model: name,
        predictions: rows.map((r) => ({
          prediction_id: r.predictionId,
          score: r.score,
          decision: r.decision,
          ...(r.probabilities === undefined ? {} : { probabilities: r.probabilities }),
          model_version: r.modelVersion,
        })),
        request_id: request.id,
      };
    },
  );
}
