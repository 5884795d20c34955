// What only the operator of a deployment knows, for the legal pages (legal notice,
// personal data, accessibility statement, help): who publishes the service and whom
// users write to. This file is the one place to fill in before going live; a value left
// `undefined` shows as "to be completed by the operator" where a page needs it. Facts of
// the software and of the repository's deployment (AWS in Paris, what is kept and for
// how long) are written in the pages themselves.

/** A text in both languages of the app. */
export interface Localized {
  fr: string;
  en: string;
}

/** RGAA's conformity statuses. */
export type Conformity = 'non-compliant' | 'partially-compliant' | 'compliant';

export interface Operator {
  /** The publisher (éditeur, and controller of the personal data): the body running the service. */
  publisherName?: string;
  publisherAddress?: string;
  publisherPhone?: string;
  /** The director of publication (directeur ou directrice de la publication). */
  publicationDirector?: string;
  /** The hosting provider's phone number (that of the operator's hosting contract). */
  hostPhone?: string;
  /** Where users write about the service itself (about a request, they write to their bank). */
  contactEmail?: string;
  /** Where users report an accessibility problem (an e-mail address or a form's URL). */
  accessibilityContact?: string;
  /** The data protection officer's contact (délégué à la protection des données). */
  dpoContact?: string;
  /** The legal basis of the processing (GDPR art. 6), as the controller determined it. */
  legalBasis?: Localized;
  /**
   * How long requests, their documents, messages and history are kept: the application
   * deletes none of them by itself; the controller sets the period and purges.
   */
  retention?: Localized;
  /** The accessibility statement's date (ISO `yyyy-mm-dd`). */
  accessibilityStatementDate?: string;
  /**
   * RGAA 4.1.2 conformity: `non-compliant` until an RGAA audit has been made (automated
   * checks alone cannot claim more); with an audit, its status, rate and date.
   */
  accessibility: { status: Conformity; audit?: { date: string; rate: number; by: string } };
}

export const OPERATOR: Operator = {
  publisherName: undefined,
  publisherAddress: undefined,
  publisherPhone: undefined,
  publicationDirector: undefined,
  hostPhone: undefined,
  contactEmail: undefined,
  accessibilityContact: undefined,
  dpoContact: undefined,
  legalBasis: undefined,
  retention: undefined,
  accessibilityStatementDate: undefined,
  accessibility: { status: 'non-compliant' },
};
