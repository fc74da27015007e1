import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.types.js';

export const APP_CONFIG = Symbol('AppConfig');

/** Holds the configuration validated once in main.ts; everything else injects APP_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
