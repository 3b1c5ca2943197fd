import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { toWireError, type WireError } from './app-error.js';

/** The one exception filter of every microservice: whatever a handler throws leaves as a WireError. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<WireError> {
    const wire = toWireError(exception, (errorId, error) =>
      this.logger.error({ errorId, err: error }, 'unexpected error in a message handler'),
    );
    return throwError(() => wire);
  }
}
