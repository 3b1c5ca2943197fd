import { HttpErrorResponse } from '@angular/common/http';
import { problemMessage } from './problem';

describe('problemMessage', () => {
  it("gives the gateway's problem+json detail", () => {
    expect(problemMessage(new HttpErrorResponse({ status: 409, error: { detail: 'This email has an account already' } }))).toBe('This email has an account already');
  });

  it('says the server cannot be reached when nothing answered, and the status otherwise', () => {
    expect(problemMessage(new HttpErrorResponse({ status: 0 }))).toMatch(/cannot be reached/);
    expect(problemMessage(new HttpErrorResponse({ status: 502, statusText: 'Bad Gateway', error: '<html>' }))).toBe('The server answered 502 (Bad Gateway). Try again in a moment.');
    expect(problemMessage(new Error('boom'))).toBe('Something went wrong. Try again in a moment.');
  });
});
