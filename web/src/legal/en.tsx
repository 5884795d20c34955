// The legal pages in English: the same structure as fr.tsx, which is the text of
// reference (French law asks for these pages in French).
import { useTranslation } from 'react-i18next';
import { OPERATOR } from './operator';
import { formatDate } from '../lib/dates';
import { Link } from '../ui';
import { Cnil, Contact, Op, SeeAlso, StatusMeanings, Steps } from './parts';
import type { LegalTexts } from './texts';

const op = OPERATOR;

function Accessibility() {
  const { t } = useTranslation();
  const audit = op.accessibility.audit;
  return (
    <>
      <p>
        <Op value={op.publisherName} /> is committed to making its digital services accessible, in accordance with article 47 of French law no. 2005-102
        of 11 February 2005.
      </p>
      <p>This accessibility statement applies to the online service “{t('service.name')}”, at {location.origin}.</p>

      <h2>Compliance status</h2>
      <p>
        The “{t('service.name')}” service is <strong>{t(`legal.conformity.${op.accessibility.status}`)}</strong> with the French accessibility
        framework (RGAA), version 4.1.2
        {audit ? '.' : ': no compliance audit has been carried out yet.'}
      </p>

      <h2>Test results</h2>
      {audit ? (
        <p>
          The compliance audit carried out by {audit.by} on {formatDate(audit.date, 'en')} shows that {audit.rate}% of the RGAA 4.1.2 criteria are met.
        </p>
      ) : (
        <p>Without an audit, the rate of compliance with the RGAA is not known.</p>
      )}
      <p>With every change to the service, automated tests check:</p>
      <ul>
        <li>the WCAG 2.1 level A and AA rules of the axe-core tool, on every screen, 1,280 and 375 pixels wide (a phone): no issue is found;</li>
        <li>
          the journeys with the keyboard only: submitting a request; in a bank's review queue, filtering, selecting and rejecting a request (focus stays
          in the dialogs and returns to their button);
        </li>
        <li>that no screen is wider than a phone's (no sideways scrolling).</li>
      </ul>
      <p>These tools find only part of the accessibility issues: they replace neither an audit nor tests with screen readers, which have not been made yet.</p>

      <h2>Non-accessible content</h2>
      <h3>Known non-compliance</h3>
      <ul>
        <li>In the banks' area, PDF documents are shown page by page as images: their text cannot be read by a screen reader.</li>
      </ul>
      <h3>Content exempt from the accessibility obligation</h3>
      <ul>
        <li>The documents companies upload: third-party documents, which the service neither produces nor controls.</li>
      </ul>
      <h3>Content not assessed</h3>
      <ul>
        <li>the sign-in page, provided by the identity service;</li>
        <li>the e-mails the service sends;</li>
        <li>the API's technical documentation (the “API documentation” page), meant for developers.</li>
      </ul>

      <h2>Preparation of this statement</h2>
      <p>
        This statement was drawn up on{' '}
        {op.accessibilityStatementDate ? formatDate(op.accessibilityStatementDate, 'en') : <Op value={undefined} />}.
      </p>
      <h3>Technologies used</h3>
      <p>HTML, CSS, JavaScript (React), WAI-ARIA.</p>
      <h3>Test environment</h3>
      <p>Chromium browser, without assistive technology; axe-core 4.13 (WCAG 2.1 A and AA rules).</p>
      <h3>Pages checked</h3>
      <ul>
        <li>the home page and its simulator;</li>
        <li>each step of a request, “Check your answers” and the confirmation;</li>
        <li>“My requests”, a request's page (documents, messages, history) and its withdrawal;</li>
        <li>a bank's review queue, a request under review and its decision dialogs;</li>
        <li>the admin area: national figures, banks and accounts, reduced mode;</li>
        <li>this statement, the legal notice, the personal data page, the help page.</li>
      </ul>

      <h2>Feedback and contact</h2>
      <p>
        If you cannot access a piece of content or a service, you can contact the person responsible for the service to be directed to an accessible
        alternative or to get the content in another form: <Contact value={op.accessibilityContact} />.
      </p>

      <h2>Remedies</h2>
      <p>
        Use this procedure if you reported to the person responsible for the service an accessibility issue that prevents you from accessing a piece of
        content or a service, and you did not get a satisfactory answer. You can:
      </p>
      <ul>
        <li>
          write a message to the <a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a> (the French rights ombudsman);
        </li>
        <li>
          contact <a href="https://www.defenseurdesdroits.fr/saisir/delegues">the Défenseur des droits' delegate in your region</a>;
        </li>
        <li>send a letter by post (free of charge, no stamp needed): Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07, France.</li>
      </ul>
    </>
  );
}

function LegalNotice() {
  const { t } = useTranslation();
  return (
    <>
      <h2>Publisher</h2>
      <p>
        The “{t('service.name')}” service is published by <Op value={op.publisherName} />.
      </p>
      <ul>
        <li>
          Address: <Op value={op.publisherAddress} />
        </li>
        <li>
          Phone: <Op value={op.publisherPhone} />
        </li>
        <li>
          Contact: <Contact value={op.contactEmail} />
        </li>
        <li>
          Director of publication: <Op value={op.publicationDirector} />
        </li>
      </ul>

      <h2>Hosting</h2>
      <p>
        Amazon Web Services EMEA SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg; phone: <Op value={op.hostPhone} />.
      </p>
      <p>
        The service's data (requests, documents, accounts, e-mails) is hosted in AWS's Paris region. The site's pages are delivered by the Amazon
        CloudFront network, from points of presence in Europe and North America; no personal data is cached there.
      </p>

      <h2>What the service does</h2>
      <p>
        The service sends requests for State-guaranteed loans to the bank each company chose. Simulated amounts are indicative: only the bank decides to
        grant the loan.
      </p>

      <h2>See also</h2>
      <SeeAlso pages={['/donnees-personnelles', '/accessibilite']} />
    </>
  );
}

function PersonalData() {
  return (
    <>
      <p>
        The controller of this service's personal data is <Op value={op.publisherName} />. You can reach its data protection officer:{' '}
        <Contact value={op.dpoContact} />.
      </p>

      <h2>Why your data is processed</h2>
      <ul>
        <li>to send your request for a State-guaranteed loan to the bank you chose, and let it review and answer it;</li>
        <li>to let you follow your request, add documents to it and exchange messages with your bank;</li>
        <li>to tell you by e-mail of each step (acknowledgement, decision, a message waiting);</li>
        <li>to produce the scheme's national figures, in aggregate form;</li>
        <li>to keep the service secure.</li>
      </ul>
      <p>
        Legal basis of the processing: <Op value={op.legalBasis} />.
      </p>
      <p>Simulating a loan keeps nothing: the figures typed are used for the calculation, then forgotten.</p>

      <h2>The data processed</h2>
      <ul>
        <li>your account: its identifier, the name or address given at sign-in, your role, and for a bank's staff, their bank;</li>
        <li>
          your company: SIREN, SIRET, legal name, legal form, creation date, headcount, revenue, payroll, balance sheet total, whether it is innovative,
          whether collective proceedings are under way;
        </li>
        <li>
          your request: amount, amortisation period, bank, contact e-mail address, reference, status and the reason for the decision; a copy of each
          submission, which prevents a request from being recorded twice;
        </li>
        <li>the answers of a request being prepared, kept on the server so that you can take it up later or from another device;</li>
        <li>your documents and your messages;</li>
        <li>the request's history: each step, its date and the account that took it;</li>
        <li>the e-mails the service sends;</li>
        <li>
          technical logs: the requests the service's firewall blocked (IP address, country, address requested, headers without the sign-in tokens; never
          the content) and the delivery network's access logs.
        </li>
      </ul>
      <p>
        In your browser, the service keeps your sign-in session and your choice of language (local storage), and the answers you are typing (session
        storage, cleared when the tab is closed). It sets no cookie and does not measure the audience.
      </p>

      <h2>Who sees it</h2>
      <ul>
        <li>the bank you chose (its reviewers): your request, documents, messages and history;</li>
        <li>the platform's administrators: every request and the messages, read-only, without the documents;</li>
        <li>
          Amazon Web Services, as processor: hosting, sending e-mails and the identity service, in the Paris region; the firewall's logs are kept in the
          United States, under AWS's data processing addendum (the European Commission's standard contractual clauses).
        </li>
      </ul>

      <h2>How long</h2>
      <ul>
        <li>
          requests, documents, messages and history: the service does not delete them by itself; retention period: <Op value={op.retention} />;
        </li>
        <li>
          a request being prepared: 30 days after it was last saved (beyond, it is no longer given back and is erased when next looked up); it is
          deleted as soon as the request is sent;
        </li>
        <li>a replaced or deleted version of a document: 90 days;</li>
        <li>database backups: 35 days;</li>
        <li>firewall logs: 365 days; access logs: 400 days;</li>
        <li>in your browser: the session until you sign out, the answers being typed until the tab is closed, the language until you clear it.</li>
      </ul>

      <h2>Your rights</h2>
      <p>
        You can access your data, have it corrected or erased, ask for its processing to be restricted or object to it, under the General Data
        Protection Regulation (articles 15 to 21) and the French Data Protection Act. Write to the data protection officer:{' '}
        <Contact value={op.dpoContact} />.
      </p>
      <p>Until your bank has decided, you can also withdraw your request from its page, then submit a new one with corrected information.</p>
      <p>
        If you think your rights are not respected, you can complain to the{' '}
        <Cnil />, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, France.
      </p>
    </>
  );
}

function Help() {
  const { t } = useTranslation();
  return (
    <>
      <h2>Making a request</h2>
      <Steps />
      <p>Have at hand:</p>
      <ul>
        <li>your company's SIREN (9 digits) and, if you know it, the establishment's SIRET (14 digits);</li>
        <li>its legal form, creation date and headcount;</li>
        <li>the revenue of the last closed financial year and, for an innovative or recent company, the annual payroll in France;</li>
        <li>an e-mail address where your bank and the service can write to you.</li>
      </ul>
      <p>
        Documents are PDF, PNG or JPEG files of 10 MB at most, 20 per request at most. You can add them until your bank has decided.
      </p>

      <h2>Following your request</h2>
      <p>
        Your reference (for example PGE-0J5K8Q2M3RX) identifies your request with your bank; you find it in “{t('nav.requests')}”. Each status means:
      </p>
      <StatusMeanings />

      <h2>The guarantee identifier</h2>
      <p>
        Once the request is pre-approved, obtain on its page the State guarantee's identifier (for example{' '}
        <span className="nowrap">PGE-7K3M-Q9TX-2HBW-D</span>) and its certificate, then hand the identifier to your bank: it types it to grant the
        loan. It is valid for this loan only, and it is cancelled if the request is withdrawn or rejected. Anyone who knows the identifier and the
        company's SIREN can check the guarantee on the page <Link to="/verifier">{t('footer.verify')}</Link>.
      </p>

      <h2>Whom to contact</h2>
      <ul>
        <li>
          <strong>About your request</strong> (amount, documents, decision): your bank, which alone decides. Write to it from your request's page, under
          “Messages”, once signed in.
        </li>
        <li>
          <strong>About how the service works</strong>: <Contact value={op.contactEmail} />.
        </li>
        <li>
          <strong>If some content is not accessible to you</strong>: <Link to="/accessibilite">{t('legal.accessibility')}</Link>.
        </li>
        <li>
          <strong>About your personal data</strong>: <Link to="/donnees-personnelles">{t('legal.personalData')}</Link>.
        </li>
      </ul>
    </>
  );
}

export const en: LegalTexts = { Accessibility, LegalNotice, PersonalData, Help };
