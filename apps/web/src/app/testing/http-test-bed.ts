import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type EnvironmentProviders, type Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { API_BASE_URL } from '../core/api-base-url.token';

/** For component tests: a TestBed whose HttpClient answers from the test (same-origin API), and its controller. */
export function httpTestBed(...providers: (Provider | EnvironmentProviders)[]): HttpTestingController {
  TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), { provide: API_BASE_URL, useValue: '' }, ...providers] });
  return TestBed.inject(HttpTestingController);
}
