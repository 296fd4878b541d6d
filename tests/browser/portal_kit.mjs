// What the portal journeys (portal_*.mjs) share: the words the pages must show in each language,
// the files a client uploads, and the accessibility check of a page in every language and
// viewport the journey does not run in itself.

import { deflateSync } from 'node:zlib';

import { checkA11y, expect, newContext } from './lib.mjs';

/** Browser locales (Accept-Language) of the portal's languages. */
export const LOCALES = { en: 'en-GB', fr: 'fr-FR' };

/** What the pages say, per language: the journeys assert on these words. */
export const WORDS = {
  en: {
    welcome: 'Welcome',
    welcomeText: 'Acme Pay asks you for some information and documents to open your account.',
    welcomeCollect: 'Acme Pay needs a few more items from you.',
    welcomeSubmitted: 'You have already sent your information to Acme Pay. Thank you.',
    continue: 'Continue',
    invalidLink: 'This link is not valid',
    code: 'Check your e-mail',
    codeLabel: 'Code',
    codeSubmit: 'Confirm',
    wrongCode: 'This code is not right.',
    details: 'About the company',
    problem: 'There is a problem',
    required: 'Enter this information.',
    badEmail: 'Enter an e-mail address such as name@example.com.',
    name: 'Company name',
    country: 'Country of registration',
    registration: 'Registration number',
    email: 'E-mail address',
    saveContinue: 'Save and continue',
    parties: 'People and companies',
    nobody: 'Nobody is listed yet.',
    addPerson: 'Add a person',
    addCompany: 'Add a company',
    addOwner: 'Add an owner',
    aPerson: 'A person',
    aCompany: 'A company',
    firstName: 'First name',
    lastName: 'Last name',
    birthDate: 'Date of birth',
    nationality: 'Nationality',
    share: 'Share held (%)',
    save: 'Save',
    ubo: 'Beneficial owner',
    shareholder: 'Shareholder',
    director: 'Director',
    signatory: 'Signatory (you)',
    under: (owner) => `in ${owner}`,
    documents: 'Documents',
    certificate: 'Certificate of incorporation or register extract (less than 3 months old)',
    passport: 'Passport / Identity card',
    chooseFile: (label, whose) => `Choose a file (${label}, ${whose})`,
    send: 'Send',
    received: 'Received',
    noFile: 'Choose a file or take a photo first.',
    reason: (reason) => `Why we ask: ${reason}`,
    review: 'Check and send',
    operating: 'Belgium, France',
    submit: 'Send',
    thanks: 'Thank you',
    language: 'Language',
    changeLanguage: 'Change language',
  },
  fr: {
    welcome: 'Bienvenue',
    welcomeText: 'Acme Pay vous demande quelques informations et documents pour ouvrir votre compte.',
    welcomeCollect: 'Acme Pay a besoin de quelques éléments supplémentaires.',
    welcomeSubmitted: 'Vous avez déjà envoyé vos informations à Acme Pay. Merci.',
    continue: 'Continuer',
    invalidLink: "Ce lien n'est pas valide",
    code: 'Consultez vos e-mails',
    codeLabel: 'Code',
    codeSubmit: 'Valider',
    wrongCode: "Ce code n'est pas le bon.",
    details: 'La société',
    problem: 'Un problème est survenu',
    required: 'Renseignez cette information.',
    badEmail: 'Saisissez une adresse e-mail comme nom@exemple.fr.',
    name: 'Raison sociale',
    country: "Pays d'immatriculation",
    registration: "Numéro d'immatriculation",
    email: 'Adresse e-mail',
    saveContinue: 'Enregistrer et continuer',
    parties: 'Personnes et sociétés',
    nobody: "Personne n'est encore indiqué.",
    addPerson: 'Ajouter une personne',
    addCompany: 'Ajouter une société',
    addOwner: 'Ajouter un détenteur',
    aPerson: 'Une personne',
    aCompany: 'Une société',
    firstName: 'Prénom',
    lastName: 'Nom',
    birthDate: 'Date de naissance',
    nationality: 'Nationalité',
    share: 'Part détenue (%)',
    save: 'Enregistrer',
    ubo: 'Bénéficiaire effectif',
    shareholder: 'Actionnaire',
    director: 'Dirigeant',
    signatory: 'Signataire (vous)',
    under: (owner) => `dans ${owner}`,
    documents: 'Documents',
    certificate: 'Extrait Kbis ou extrait du registre (de moins de 3 mois)',
    passport: "Passeport / Carte d'identité",
    chooseFile: (label, whose) => `Choisir un fichier (${label}, ${whose})`,
    send: 'Envoyer',
    received: 'Reçu',
    noFile: "Choisissez d'abord un fichier ou prenez une photo.",
    reason: (reason) => `Pourquoi nous le demandons : ${reason}`,
    review: 'Vérifier et envoyer',
    operating: 'Belgique, France',
    submit: 'Envoyer',
    thanks: 'Merci',
    language: 'Langue',
    changeLanguage: 'Changer de langue',
  },
};

/** A one-page PDF, as small as a valid one gets. */
export function pdf(name = 'register-extract.pdf') {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  body += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return { name, mimeType: 'application/pdf', buffer: Buffer.from(body, 'latin1') };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 32×20 PNG (a photo of a passport, as far as the server can tell). */
export function png(name = 'passport.png') {
  const [width, height] = [32, 20];
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(0); // no filter
    for (let x = 0; x < width; x++) rows.push(40 + x * 6, 90 + y * 5, 160);
  }
  const buffer = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return { name, mimeType: 'image/png', buffer };
}

/** The page's main heading, trimmed. */
export async function heading(page) {
  return ((await page.locator('h1').first().textContent()) ?? '').trim();
}

/** Fails unless the page's main heading is `text`. */
export async function expectHeading(page, text, where) {
  await page.locator('h1', { hasText: text }).first().waitFor();
  expect(await heading(page), `the heading of ${where} (${page.url()})`).toBe(text);
}

// The twins' pages, one per browser, language and viewport, kept for the whole journey.
const twins = new WeakMap();

async function twinPage(browser, lang, viewport) {
  if (!twins.has(browser)) twins.set(browser, new Map());
  const pages = twins.get(browser);
  const key = `${lang} ${viewport}`;
  if (!pages.has(key)) {
    const context = await newContext(browser, { viewport, locale: LOCALES[lang] });
    pages.set(key, await context.newPage());
  }
  return pages.get(key);
}

/**
 * axe-core on the page as it is, then on the same page in each of `others` (each `{lang,
 * viewport}`): a page of that language and viewport, given the portal session of `page`, opens
 * the page's URL — or, for a page that a form post made (a form with its errors), `reproduce(twin,
 * lang)` makes it again. The twin must really be in its language (`<html lang>`).
 */
export async function a11y(page, label, { browser, lang, viewport, others = [], reproduce } = {}) {
  await checkA11y(page, `${label} (${lang}, ${viewport})`);
  const cookies = (await page.context().cookies()).filter((c) => c.name === 'dossier_portal');
  for (const other of others) {
    const twin = await twinPage(browser, other.lang, other.viewport);
    await twin.context().addCookies(cookies);
    if (reproduce) {
      await reproduce(twin, other.lang);
    } else {
      await twin.goto(page.url());
    }
    expect(await twin.getAttribute('html', 'lang'), `the language of ${label} in ${other.lang}`).toBe(other.lang);
    await checkA11y(twin, `${label} (${other.lang}, ${other.viewport})`);
  }
}
