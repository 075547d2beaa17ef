import express, { type Express } from 'express';
import type { ApiDeps } from './apiDeps.ts';
import { ApiKeyAuthenticator } from './auth/apiKeyAuthenticator.ts';
import { authenticate } from './auth/authenticate.ts';
import { apiKeyRoutes } from './routes/apiKeyRoutes.ts';
import { errorHandler, notFound } from './errorHandler.ts';
import { checkJsonBody } from './jsonBodyChecks.ts';
import { requireJson } from './requireJson.ts';
import { deadLetterRoutes } from './routes/deadLetterRoutes.ts';
import { heldEventRoutes } from './routes/heldEventRoutes.ts';
import { pullRoutes } from './routes/pullRoutes.ts';
import { eventRoutes } from './routes/eventRoutes.ts';
import { dashboardRoutes } from './routes/dashboardRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { lagRoutes } from './routes/lagRoutes.ts';
import { subscriptionRoutes } from './routes/subscriptionRoutes.ts';
import { topicRoutes } from './routes/topicRoutes.ts';
import { TopicSchemaSubjects } from './topicSchemaSubjects.ts';
import { metricsRoute } from '../runtime/metricsRoute.ts';
import { installRequestValidation } from './openapi/requestValidation.ts';
import { openApiRoute } from './routes/openApiRoute.ts';

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // first: every route, present and future, is checked against routeScope's policy
  const authenticator = new ApiKeyAuthenticator(
    deps.pool,
    deps.config.bootstrapApiKey,
    deps.config.apiKeyCacheMs,
  );
  app.use(authenticate(deps.config.apiAuth, authenticator));
  app.use(healthRoutes(deps));
  app.use(metricsRoute(deps.metrics.registry));
  app.use(dashboardRoutes());
  app.use(openApiRoute());
  app.use(requireJson);
  app.use(express.json({ limit: deps.config.maxBodyBytes, strict: true, verify: checkJsonBody }));
  // every request is checked against the schemas the OpenAPI document publishes for its route
  installRequestValidation(app);
  // one view of topics' schema subjects: a change through topicRoutes applies to produce at once
  const subjects = new TopicSchemaSubjects(deps.pool);
  app.use(apiKeyRoutes(deps, authenticator));
  app.use(topicRoutes(deps, subjects));
  app.use(lagRoutes(deps));
  app.use(subscriptionRoutes(deps));
  app.use(deadLetterRoutes(deps));
  app.use(heldEventRoutes(deps));
  app.use(pullRoutes(deps));
  app.use(eventRoutes(deps, subjects));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
