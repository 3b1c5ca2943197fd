import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Serves the built web app at `/`, and its index for client-side routes. */
@Module({})
export class WebModule {
  static forRoot(webDir: string): DynamicModule {
    const rootPath = resolve(webDir);
    if (!existsSync(join(rootPath, 'index.html'))) {
      new Logger('WebModule').warn(`No web app in ${rootPath}; build it with "npm run build:web"`);
      return { module: WebModule };
    }
    return {
      module: WebModule,
      imports: [ServeStaticModule.forRoot({ rootPath, exclude: ['/api/{*path}', '/health/{*path}', '/mcp'] })],
    };
  }
}
