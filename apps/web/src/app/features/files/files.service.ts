import { HttpClient, type HttpEvent } from '@angular/common/http';
import { Service, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import { API_BASE_URL } from '../../core/api-base-url.token';
import { apiUrl } from '../../core/api-url';
import type { Ingestion, Page, Upload, UploadDetail, Usage } from './files.model';

/** The caller's files, through `/api/v1/files`. */
@Service()
export class FilesService {
  private readonly http = inject(HttpClient);
  private readonly base = apiUrl(inject(API_BASE_URL), '/api/v1/files');

  list(cursor?: string): Observable<Page<Upload>> {
    return this.http.get<Page<Upload>>(this.base, { params: cursor ? { limit: 50, cursor } : { limit: 50 } });
  }

  detail(id: string): Observable<UploadDetail> {
    return this.http.get<UploadDetail>(`${this.base}/${id}`);
  }

  usage(): Observable<Usage> {
    return this.http.get<Usage>(`${this.base}/usage`);
  }

  /** The upload's events, with its progress; unsubscribing cancels it. */
  upload(file: File): Observable<HttpEvent<Upload>> {
    const body = new FormData();
    body.append('file', file, file.name);
    return this.http.post<Upload>(this.base, body, { reportProgress: true, observe: 'events' });
  }

  delete(id: string): Observable<void> {
    return this.http.delete<void>(`${this.base}/${id}`);
  }

  ingestion(id: string): Observable<Ingestion> {
    return this.http.get<Ingestion>(`${this.base}/${id}/ingestion`);
  }

  startIngestion(id: string): Observable<Ingestion> {
    return this.http.post<Ingestion>(`${this.base}/${id}/ingestion`, null);
  }

  cancelIngestion(id: string): Observable<Ingestion> {
    return this.http.delete<Ingestion>(`${this.base}/${id}/ingestion`);
  }
}
