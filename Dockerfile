# The app image used by docker-compose.yml: API + static web build on one port.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
EXPOSE 3000
# Migrations first (idempotent), then the API processes.
CMD ["sh", "-c", "npm run db:migrate && npm start"]
