// The legal pages in French. Same structure as en.tsx (the `LegalTexts` type holds both
// to it); the operator's values come from legal/operator.ts.
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
        <Op value={op.publisherName} /> s'engage à rendre ses services numériques accessibles, conformément à l'article 47 de la loi n° 2005-102 du 11 février
        2005.
      </p>
      <p>Cette déclaration d'accessibilité s'applique au service en ligne « {t('service.name')} », à l'adresse {location.origin}.</p>

      <h2>État de conformité</h2>
      <p>
        Le service « {t('service.name')} » est <strong>{t(`legal.conformity.${op.accessibility.status}`)}</strong> avec le référentiel général
        d'amélioration de l'accessibilité (RGAA), version 4.1.2
        {audit ? '.' : " : aucun audit de conformité n'a encore été réalisé."}
      </p>

      <h2>Résultats des tests</h2>
      {audit ? (
        <p>
          L'audit de conformité réalisé par {audit.by} le {formatDate(audit.date, 'fr')} révèle que {audit.rate} % des critères du RGAA version 4.1.2 sont
          respectés.
        </p>
      ) : (
        <p>Faute d'audit, le taux de conformité au RGAA n'est pas connu.</p>
      )}
      <p>À chaque modification du service, des tests automatisés vérifient :</p>
      <ul>
        <li>
          les règles des WCAG 2.1, niveaux A et AA, de l'outil axe-core, sur chaque écran, à 1 280 et à 375 pixels de large (téléphone) : aucune
          anomalie n'est détectée ;
        </li>
        <li>
          les parcours au clavier seul : déposer une demande ; dans la file d'instruction d'une banque, filtrer, sélectionner et refuser une demande (le
          focus reste dans les fenêtres de dialogue et revient à leur bouton) ;
        </li>
        <li>qu'aucun écran n'est plus large que celui d'un téléphone (pas de défilement horizontal).</li>
      </ul>
      <p>
        Ces outils ne détectent qu'une partie des défauts d'accessibilité : ils ne remplacent ni un audit, ni des essais avec des lecteurs d'écran, qui
        n'ont pas encore été menés.
      </p>

      <h2>Contenus non accessibles</h2>
      <h3>Non-conformités connues</h3>
      <ul>
        <li>
          Dans l'espace des banques, les justificatifs au format PDF sont montrés page par page comme des images : leur texte n'est pas lisible par un
          lecteur d'écran.
        </li>
      </ul>
      <h3>Contenus non soumis à l'obligation d'accessibilité</h3>
      <ul>
        <li>Les justificatifs déposés par les entreprises : ce sont des documents de tiers, que le service ne produit ni ne contrôle.</li>
      </ul>
      <h3>Contenus non évalués</h3>
      <ul>
        <li>la page de connexion, fournie par le service d'identité ;</li>
        <li>les courriers électroniques envoyés par le service ;</li>
        <li>la documentation technique de l'API (page « Documentation de l'API »), destinée aux développeurs.</li>
      </ul>

      <h2>Établissement de cette déclaration</h2>
      <p>
        Cette déclaration a été établie le{' '}
        {op.accessibilityStatementDate ? formatDate(op.accessibilityStatementDate, 'fr') : <Op value={undefined} />}.
      </p>
      <h3>Technologies utilisées</h3>
      <p>HTML, CSS, JavaScript (React), WAI-ARIA.</p>
      <h3>Environnement de test</h3>
      <p>Navigateur Chromium, sans technologie d'assistance ; axe-core 4.13 (règles WCAG 2.1 A et AA).</p>
      <h3>Pages vérifiées</h3>
      <ul>
        <li>l'accueil et son simulateur ;</li>
        <li>chaque étape de la demande, « Vérifiez vos réponses » et la confirmation ;</li>
        <li>« Mes demandes », la page d'une demande (justificatifs, messages, historique) et son retrait ;</li>
        <li>la file d'instruction d'une banque, une demande instruite et ses fenêtres de décision ;</li>
        <li>l'administration : chiffres nationaux, banques et comptes, mode réduit ;</li>
        <li>cette déclaration, les mentions légales, la page sur les données personnelles, l'aide.</li>
      </ul>

      <h2>Retour d'information et contact</h2>
      <p>
        Si vous n'arrivez pas à accéder à un contenu ou à un service, vous pouvez contacter le responsable du service pour être orienté vers une
        alternative accessible ou obtenir le contenu sous une autre forme : <Contact value={op.accessibilityContact} />.
      </p>

      <h2>Voies de recours</h2>
      <p>
        Cette procédure est à utiliser dans le cas suivant : vous avez signalé au responsable du service un défaut d'accessibilité qui vous empêche
        d'accéder à un contenu ou à un des services, et vous n'avez pas obtenu de réponse satisfaisante. Vous pouvez :
      </p>
      <ul>
        <li>
          écrire un message au <a href="https://formulaire.defenseurdesdroits.fr/">Défenseur des droits</a> ;
        </li>
        <li>
          contacter <a href="https://www.defenseurdesdroits.fr/saisir/delegues">le délégué du Défenseur des droits dans votre région</a> ;
        </li>
        <li>
          envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.
        </li>
      </ul>
    </>
  );
}

function LegalNotice() {
  const { t } = useTranslation();
  return (
    <>
      <h2>Éditeur</h2>
      <p>
        Le service « {t('service.name')} » est édité par <Op value={op.publisherName} />.
      </p>
      <ul>
        <li>
          Adresse : <Op value={op.publisherAddress} />
        </li>
        <li>
          Téléphone : <Op value={op.publisherPhone} />
        </li>
        <li>
          Contact : <Contact value={op.contactEmail} />
        </li>
        <li>
          Directeur ou directrice de la publication : <Op value={op.publicationDirector} />
        </li>
      </ul>

      <h2>Hébergement</h2>
      <p>
        Amazon Web Services EMEA SARL, 38 avenue John F. Kennedy, L-1855 Luxembourg ; téléphone : <Op value={op.hostPhone} />.
      </p>
      <p>
        Les données du service (demandes, justificatifs, comptes, courriers électroniques) sont hébergées dans la région AWS de Paris. Les pages du site
        sont distribuées par le réseau Amazon CloudFront, depuis des points de présence en Europe et en Amérique du Nord ; aucune donnée personnelle n'y
        est gardée en cache.
      </p>

      <h2>Nature du service</h2>
      <p>
        Le service transmet les demandes de prêt garanti par l'État à la banque choisie par l'entreprise. Les montants simulés sont indicatifs : seule la
        banque décide d'accorder le prêt.
      </p>

      <h2>Voir aussi</h2>
      <SeeAlso pages={['/donnees-personnelles', '/accessibilite']} />
    </>
  );
}

function PersonalData() {
  return (
    <>
      <p>
        Le responsable du traitement des données personnelles de ce service est <Op value={op.publisherName} />. Vous pouvez joindre son délégué à la
        protection des données : <Contact value={op.dpoContact} />.
      </p>

      <h2>Pourquoi vos données sont traitées</h2>
      <ul>
        <li>transmettre votre demande de prêt garanti par l'État à la banque que vous avez choisie, et lui permettre de l'instruire et d'y répondre ;</li>
        <li>vous permettre de suivre votre demande, d'y ajouter des justificatifs et d'échanger des messages avec votre banque ;</li>
        <li>vous prévenir par courrier électronique de chaque étape (accusé de réception, décision, message en attente) ;</li>
        <li>établir les chiffres nationaux du dispositif, sous une forme agrégée ;</li>
        <li>assurer la sécurité du service.</li>
      </ul>
      <p>
        Base légale du traitement : <Op value={op.legalBasis} />.
      </p>
      <p>La simulation d'un prêt ne conserve rien : les chiffres saisis servent au calcul, puis sont oubliés.</p>

      <h2>Les données traitées</h2>
      <ul>
        <li>votre compte : son identifiant, le nom ou l'adresse indiqués à la connexion, votre rôle, et pour le personnel d'une banque, sa banque ;</li>
        <li>
          votre entreprise : SIREN, SIRET, raison sociale, forme juridique, date de création, effectif, chiffre d'affaires, masse salariale, total du
          bilan, caractère innovant, procédure collective en cours ;
        </li>
        <li>
          votre demande : montant, durée d'amortissement, banque, adresse électronique de contact, référence, statut et motif de la décision ; la copie
          de chaque envoi, qui empêche qu'une demande soit enregistrée deux fois ;
        </li>
        <li>les réponses d'une demande en préparation, gardées sur le serveur pour que vous la repreniez plus tard ou depuis un autre appareil ;</li>
        <li>vos justificatifs et vos messages ;</li>
        <li>l'historique de la demande : chaque étape, sa date et le compte qui l'a accomplie ;</li>
        <li>les courriers électroniques envoyés par le service ;</li>
        <li>
          les journaux techniques : les requêtes bloquées par le pare-feu du service (adresse IP, pays, adresse demandée, en-têtes sans les jetons de
          connexion ; jamais le contenu) et les journaux d'accès du réseau de distribution.
        </li>
      </ul>
      <p>
        Dans votre navigateur, le service garde votre session de connexion et votre choix de langue (stockage local), vos réponses en cours de saisie
        (stockage de session, effacé à la fermeture de l'onglet). Il ne dépose aucun cookie et ne mesure pas l'audience.
      </p>

      <h2>Qui y a accès</h2>
      <ul>
        <li>la banque que vous avez choisie (ses instructeurs) : votre demande, vos justificatifs, vos messages et l'historique ;</li>
        <li>les administrateurs de la plateforme : toutes les demandes et les messages, en lecture seule, sans les justificatifs ;</li>
        <li>
          Amazon Web Services, sous-traitant : hébergement, envoi des courriers électroniques et service d'identité, dans la région de Paris ; les
          journaux du pare-feu sont gardés aux États-Unis, dans le cadre de l'accord de traitement des données d'AWS (clauses contractuelles types de la
          Commission européenne).
        </li>
      </ul>

      <h2>Combien de temps</h2>
      <ul>
        <li>
          demandes, justificatifs, messages et historique : le service ne les supprime pas de lui-même ; durée de conservation :{' '}
          <Op value={op.retention} /> ;
        </li>
        <li>
          demande en préparation : 30 jours après sa dernière sauvegarde (au-delà, elle n'est plus rendue et elle est effacée à la consultation
          suivante) ; elle est supprimée dès que la demande est envoyée ;
        </li>
        <li>version remplacée ou supprimée d'un justificatif : 90 jours ;</li>
        <li>sauvegardes de la base de données : 35 jours ;</li>
        <li>journaux du pare-feu : 365 jours ; journaux d'accès : 400 jours ;</li>
        <li>
          dans votre navigateur : la session jusqu'à la déconnexion, les réponses en cours jusqu'à la fermeture de l'onglet, le choix de langue jusqu'à
          ce que vous l'effaciez.
        </li>
      </ul>

      <h2>Vos droits</h2>
      <p>
        Vous pouvez accéder à vos données, les faire rectifier ou effacer, demander la limitation de leur traitement ou vous y opposer, dans les
        conditions prévues par le règlement général sur la protection des données (articles 15 à 21) et la loi Informatique et Libertés. Écrivez au
        délégué à la protection des données : <Contact value={op.dpoContact} />.
      </p>
      <p>
        Tant que votre banque n'a pas décidé, vous pouvez aussi retirer votre demande depuis sa page, puis en déposer une nouvelle avec des informations
        corrigées.
      </p>
      <p>
        Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la{' '}
        <Cnil />, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.
      </p>
    </>
  );
}

function Help() {
  const { t } = useTranslation();
  return (
    <>
      <h2>Faire une demande</h2>
      <Steps />
      <p>Préparez :</p>
      <ul>
        <li>le SIREN de votre entreprise (9 chiffres) et, si vous le connaissez, le SIRET de l'établissement (14 chiffres) ;</li>
        <li>sa forme juridique, sa date de création et son effectif ;</li>
        <li>le chiffre d'affaires du dernier exercice clos et, pour une entreprise innovante ou récente, la masse salariale annuelle en France ;</li>
        <li>une adresse électronique où votre banque et le service pourront vous écrire.</li>
      </ul>
      <p>
        Les justificatifs sont des fichiers PDF, PNG ou JPEG de 10 Mo au plus, 20 par demande au plus. Vous pouvez les ajouter tant que votre banque
        n'a pas décidé.
      </p>

      <h2>Suivre votre demande</h2>
      <p>
        Votre référence (par exemple PGE-0J5K8Q2M3RX) identifie votre demande auprès de votre banque ; vous la retrouvez dans « {t('nav.requests')} ».
        Chaque statut veut dire :
      </p>
      <StatusMeanings />

      <h2>L'identifiant de garantie</h2>
      <p>
        Une fois la demande en accord de principe, obtenez sur sa page l'identifiant de la garantie de l'État (par exemple{' '}
        <span className="nowrap">PGE-7K3M-Q9TX-2HBW-D</span>) et son attestation, puis transmettez l'identifiant à votre banque : elle le saisit pour
        accorder le prêt. Il ne vaut que pour ce prêt, et il est annulé si la demande est retirée ou refusée. Toute personne qui connaît l'identifiant
        et le SIREN de l'entreprise peut vérifier la garantie sur la page <Link to="/verifier">{t('footer.verify')}</Link>.
      </p>

      <h2>Qui contacter</h2>
      <ul>
        <li>
          <strong>Sur votre demande</strong> (montant, justificatifs, décision) : votre banque, qui seule décide. Écrivez-lui depuis la page de votre
          demande, rubrique « Messages », une fois connecté.
        </li>
        <li>
          <strong>Sur le fonctionnement du service</strong> : <Contact value={op.contactEmail} />.
        </li>
        <li>
          <strong>Si un contenu ne vous est pas accessible</strong> : <Link to="/accessibilite">{t('legal.accessibility')}</Link>.
        </li>
        <li>
          <strong>Sur vos données personnelles</strong> : <Link to="/donnees-personnelles">{t('legal.personalData')}</Link>.
        </li>
      </ul>
    </>
  );
}

export const fr: LegalTexts = { Accessibility, LegalNotice, PersonalData, Help };
