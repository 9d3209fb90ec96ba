"""Words that make a free-text note reveal Art. 9(1) special-category data, in the eight CRM languages.

Staff write such details into notes ("has diabetes", "is on strike with the union"), and a note that
reveals them is special-category data even though no field says so. The lexicon was drawn from the
revealing phrases of gdprlab.generator.notes' templates and widened with common synonyms; each term was
checked
against the neutral (and Art. 10 criminal-record) templates, which must not match.

A term is matched case-insensitively at the start of a word (after the start of the note, a space or a
punctuation mark). A term ending in "*" is a stem and may be followed by more letters ("diabet*" finds
"Diabetes", "diabète", "diabete"); any other term must end at a word end, so short party and union
acronyms do not match inside other words. Terms are literal text.
Matching runs on pyarrow (RE2): one linear-time automaton for all terms, millions of notes in seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.crm.arrowtext import bools

#: category -> language -> terms
TERMS: dict[str, dict[str, tuple[str, ...]]] = {
    "health": {
        "de": ("herzinfarkt*", "diabet*", "burnout*", "burn-out*", "krankgeschrieben", "krankschreibung*",
               "chemotherap*", "bandscheibe*", "reha", "schlaganfall*", "krebserkrank*", "schwanger*",
               "depression*", "epileps*"),
        "fr": ("infarctus", "diabète", "diabétique*", "arrêt maladie", "burn-out*", "burnout*",
               "chimiothérap*", "hernie discale", "rééducation", "cancer*", "grossesse*", "dépression*",
               "épilep*"),
        "it": ("infarto", "diabet*", "in malattia", "burnout*", "burn-out*", "chemioterap*",
               "ernia del disco", "riabilitazione", "tumore*", "cancro", "incinta", "gravidanza*",
               "depressione", "epiless*"),
        "es": ("infarto", "diabet*", "de baja por", "baja médica", "burnout*", "burn-out*", "quimioterap*",
               "hernia discal", "rehabilitación", "cáncer", "embarazada*", "embarazo*", "depresión",
               "epilep*"),
        "nl": ("hartinfarct*", "diabet*", "burn-out*", "burnout*", "chemotherap*", "hernia", "revalid*",
               "in het ziekenhuis", "kanker*", "zwanger*", "depressie*", "epileps*"),
        "pl": ("zawał*", "zawale serca", "cukrzyc*", "zwolnieniu lekarskim", "zwolnienie lekarskie",
               "wypalenia zawodowego", "wypalenie zawodowe", "chemioterap*", "przepuklin*", "rehabilitac*",
               "nowotw*", "w ciąży", "depresj*", "padaczk*"),
        "sv": ("hjärtinfarkt*", "diabetes", "sjukskriv*", "utmattningssyndrom*", "cellgift*",
               "cytostatika*", "diskbråck*", "rehab", "på sjukhus", "cancer*", "gravid*", "depression*",
               "epilep*"),
        "pt": ("enfarte*", "diabet*", "de baixa por", "baixa médica", "burnout*", "burn-out*",
               "quimioterap*", "hérnia discal", "fisioterapia", "cancro", "grávida*", "gravidez",
               "depressão", "epilep*"),
    },
    "religion": {
        "de": ("freitagsgebet*", "moschee*", "zeugen jehovas", "jüdisch*", "koscher*", "kirchenvorstand*",
               "katholisch*", "evangelisch*", "ramadan*", "muslim*", "synagoge*", "gottesdienst*"),
        "fr": ("mosquée*", "prière du vendredi", "témoin de jéhovah", "témoins de jéhovah", "juif",
               "juive*", "confession juive", "casher", "kasher", "paroisse*", "paroissia*", "catholique*",
               "ramadan*", "musulman*", "synagogue*"),
        "it": ("moschea*", "testimone di geova", "testimoni di geova", "ebraic*", "ebreo", "ebrea",
               "kosher", "parrocchia*", "consiglio pastorale", "cattolic*", "ramadan*", "musulman*",
               "sinagog*"),
        "es": ("mezquita*", "rezo del viernes", "testigo de jehová", "testigos de jehová", "judío*",
               "judía*", "kosher", "parroquia*", "católic*", "ramadán", "ramadan*", "musulm*", "sinagog*"),
        "nl": ("vrijdaggebed*", "moskee*", "jehova's getuige*", "joods*", "koosjer*", "parochie*",
               "katholie*", "ramadan*", "moslim*", "synago*", "kerkbestuur*"),
        "pl": ("meczet*", "świadków jehowy", "świadek jehowy", "mojżeszow*", "koszern*", "parafia",
               "parafii", "parafialn*", "katolick*", "ramadan*", "muzułman*", "synagog*", "żydowsk*"),
        "sv": ("moské*", "fredagsbön*", "jehovas vittne*", "judisk*", "koscher*", "kyrkoråd*", "katolsk*",
               "ramadan*", "muslim*", "synagog*"),
        "pt": ("mesquita*", "oração de sexta-feira", "testemunha de jeová", "testemunhas de jeová",
               "judaic*", "judeu", "judia", "kosher", "paroquia*", "paroquial", "católic*", "ramadão",
               "ramadan*", "muçulman*", "sinagog*"),
    },
    "ethnic_origin": {
        "de": ("kurdisch*", "türkischstämmig*", "wurzeln", "sorbisch*", "minderheit*",
               "migrationshintergrund*"),
        "fr": ("kurde*", "est d'origine", "des origines", "des racines", "kabyle*", "maghrébin*"),
        "it": ("curd*", "di origine", "origini", "rom", "comunità rom", "sinti"),
        "es": ("familia kurda", "kurdo", "kurdos", "kurdas", "de origen", "raíces", "gitan*"),
        "nl": ("koerdisch*", "afkomst*", "roots", "hindoestaans*", "moluks*"),
        "pl": ("kurdyjsk*", "romsk*", "korzenie", "mniejszoś*"),
        "sv": ("kurdisk*", "ursprung", "är same", "samisk*", "renskötsel*", "romsk*", "rötter"),
        "pt": ("curd*", "de origem", "raízes", "cigan*"),
    },
    "political_opinion": {
        "de": ("grünen", "kandidiert*", "kommunalwahl*", "wahlkampf*", "afd", "spd", "cdu", "csu", "fdp",
               "stadtrat", "ortsverband*", "parteimitglied*"),
        "fr": ("écologistes", "municipales", "élections", "voter rn", "pour le ps", "conseil municipal",
               "milite", "militant*", "carte chez"),
        "it": ("tessera del pd", "si candida", "comunali", "elezioni", "fratelli d'italia",
               "consiglio comunale", "movimento 5 stelle", "per la lega", "militant*"),
        "es": ("milita", "municipales", "elecciones", "vox", "concejal*", "psoe", "carné del pp",
               "agrupación local", "militante*"),
        "nl": ("groenlinks*", "pvda", "pvv", "vvd", "cda", "d66", "kieslijst*", "gemeenteraad*",
               "afdelingsbestuur*"),
        "pl": ("polski 2050", "polska 2050", "wyborach", "wybory", "rady miasta", "radzie miasta",
               "konfederacj*", "lewicy", "lewica", "pis", "partyjn*", "głosuje na"),
        "sv": ("miljöpartiet", "kandiderar*", "kommunfullmäktige", "får rösten", "nästa val",
               "socialdemokrat*", "moderaterna*", "moderaternas", "sverigedemokrat*", "valrörelse*",
               "vänsterpartiet"),
        "pt": ("milita no", "autárquicas", "eleições", "vota no chega", "assembleia municipal", "pelo ps",
               "psd", "concelhia", "militante*"),
    },
    "trade_union": {
        "de": ("betriebsrat*", "ver.di", "warnstreik*", "streik*", "ig metall", "ig bce", "gewerkschaft*",
               "haustarifvertrag*"),
        "fr": ("cse", "cgt", "cfdt", "carte à fo", "grève*", "syndica*", "accord d'entreprise"),
        "it": ("rsu", "fiom*", "cgil", "cisl", "uil", "sciopero*", "sindacat*", "sindacal*",
               "contratto integrativo"),
        "es": ("comité de empresa", "ccoo", "ugt", "huelga*", "sindicat*", "sindical*",
               "convenio de empresa"),
        "nl": ("fnv", "cnv", "ondernemingsraad*", "staking*", "vakbond*", "bedrijfs-cao"),
        "pl": ("solidarnoś*", "opzz", "strajk*", "związku nauczycielstwa", "związku zawodowego",
               "związek zawodowy", "związkowc*"),
        "sv": ("fackligt", "fackförbund*", "facket", "unionen", "strejk*", "if metall", "kollektivavtal*"),
        "pt": ("sindica*", "cgtp", "ugt", "greve*", "acordo de empresa", "quotas em dia"),
    },
    "sex_life": {
        "de": ("gleichgeschlechtlich*", "bisexuell*", "homosexuell*", "schwul*", "lesbisch*",
               "offenen beziehung", "offene beziehung", "affäre*", "geoutet"),
        "fr": ("même sexe", "bisexualité", "bisexuel*", "homosexu*", "lesbienne*", "couple libre",
               "une liaison avec"),
        "it": ("stesso sesso", "bisessual*", "omosessual*", "lesbica*", "relazione aperta",
               "extraconiugal*"),
        "es": ("mismo sexo", "bisexual*", "homosexual*", "lesbiana*", "relación abierta", "un lío con"),
        "nl": ("hetzelfde geslacht", "biseksu*", "homoseksu*", "lesbisch*", "open relatie", "affaire met"),
        "pl": ("tej samej płci", "biseksualn*", "homoseksualn*", "gej", "lesbijk*", "otwartym związku",
               "otwarty związek", "romans", "romansu", "romansie"),
        "sv": ("samkönat*", "bisexu*", "homosexu*", "lesbisk*", "öppen relation", "affär med någon"),
        "pt": ("mesmo sexo", "bissexua*", "homossexua*", "lésbica*", "relação aberta", "um caso com"),
    },
    "genetic": {
        "de": ("gentest*", "genetisch*", "brca*", "apoe*", "huntington*", "mukoviszidose*", "dna-test*"),
        "fr": ("test génétique", "génétique*", "brca*", "apoe*", "huntington*", "mucoviscidose*",
               "test adn"),
        "it": ("test genetico", "genetic*", "brca*", "apoe*", "huntington*", "fibrosi cistica",
               "test del dna"),
        "es": ("test genético", "genétic*", "brca*", "apoe*", "huntington*", "fibrosis quística",
               "test de adn"),
        "nl": ("dna-test*", "genetisch*", "brca*", "apoe*", "huntington*", "taaislijmziekte*"),
        "pl": ("genetyczn*", "brca*", "apoe*", "huntington*", "mukowiscydoz*", "testu dna"),
        "sv": ("gentest*", "genetisk*", "brca*", "apoe*", "huntington*", "cystisk fibros", "dna-test*"),
        "pt": ("teste genético", "genétic*", "brca*", "apoe*", "huntington*", "fibrose quística",
               "teste de adn"),
    },
    "biometric": {
        "de": ("fingerabdr*", "gesichtserkennung*", "gesichtsbild*", "stimmprofil*", "iris-scan*",
               "irisscan*", "biometri*"),
        "fr": ("empreinte digitale", "empreintes digitales", "reconnaissance faciale", "empreinte vocale",
               "scan de l'iris", "biométri*"),
        "it": ("impronta digitale", "impronte digitali", "riconoscimento facciale", "impronta vocale",
               "dell'iride", "biometric*"),
        "es": ("huella dactilar", "huellas dactilares", "reconocimiento facial", "huella vocal",
               "escaneo del iris", "biométric*"),
        "nl": ("vingerafdruk*", "gezichtsherkenning*", "stemprofiel*", "irisscan*", "biometri*"),
        "pl": ("odcisku palca", "odcisk palca", "odciski palców", "rozpoznawania twarzy", "wzorzec głosu",
               "tęczówki", "biometr*"),
        "sv": ("fingeravtryck*", "ansiktsigenkänning*", "röstavtryck*", "irisskanning*", "biometri*"),
        "pt": ("impressão digital", "impressões digitais", "reconhecimento facial", "impressão vocal",
               "leitura da íris", "biométric*"),
    },
}

#: what may stand before or after a word: whitespace, ASCII and typographic punctuation. (A class of
#: all Unicode letters, [^\p{L}], would be exact too but makes RE2's automaton 100 times slower.)
_SEP = r"[\s!-/:-@\[-`{-~\x{a0}\x{202f}„“”«»‚‘’–—…¿¡]"
_RE2_SPECIAL = set(r".^$*+?()[]{}|\-")


def _literal(text: str) -> str:
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def term_pattern(term: str) -> str:
    """RE2 pattern of one term: a stem ('*') or a whole word or phrase."""
    if term.endswith("*"):
        return _literal(term[:-1])
    return _literal(term) + f"(?:$|{_SEP})"


def all_terms() -> list[str]:
    """Every distinct term, longest first (for readable patterns; RE2 matches any alternative)."""
    terms = {t for by_lang in TERMS.values() for ts in by_lang.values() for t in ts}
    return sorted(terms, key=lambda t: (-len(t), t))


#: one RE2 pattern matching any term at a word start
PATTERN = f"(?:^|{_SEP})(?:" + "|".join(term_pattern(t) for t in all_terms()) + ")"


def reveals_special_category(notes: pd.Series | np.ndarray, pattern: str = PATTERN) -> np.ndarray:
    """True for each note containing a special-category term; missing notes are False."""
    values = notes if isinstance(notes, pd.Series) else pd.Series(notes, dtype=object)
    text = pa.array(values, type=pa.string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):  # Arrow compiles the pattern for each chunk: give it one
        text = text.combine_chunks()
    return bools(pc.match_substring_regex(text, pattern, ignore_case=True))
