"""Vectorised composition of realistic free-text CRM activity notes in eight languages.

A note is drawn from a template for the row's (language, kind) pair.  ``kind`` is
``"neutral"`` for ordinary business notes, one of :data:`SPECIAL_CATEGORIES` for a note that
carelessly reveals GDPR Art. 9(1) special-category data about the contact, or ``"criminal"``
for a note revealing criminal convictions or offences (Art. 10).

Template mini-language
----------------------
Templates are plain data: :data:`TEMPLATES` maps language -> kind -> tuple of template strings
(written below as one text block per language, see :func:`_template_block`).  Inside a template

* ``{first_name}``, ``{last_name}``, ``{full_name}`` (``first + " " + last``) and ``{colleague}``
  are filled from the caller's arrays and always produce a ``"person_name"`` span;
* ``{product}``, ``{weekday}``, ``{month}``, ``{hour}``, ``{amount}``, ``{percent}``,
  ``{quantity}`` and ``{ticket}`` are drawn uniformly from the per-language lists in
  :data:`VALUES`.  ``{weekday}`` is the adverbial "on <day>" form of each language
  ("am Montag", "lundi", "el lunes", "w środę", ...); ``{month}`` is the bare month name,
  in Polish the genitive ("do końca marca", "od marca");
* ``[[`` and ``]]`` delimit the phrase revealing the special category / criminal record.  They
  are stripped from the note and become a span of the note's kind.  Every non-neutral
  template has exactly one such phrase, neutral templates have none.  A revealing phrase may
  contain name placeholders, so a category span can enclose a ``"person_name"`` span.

The contact's gender is unknown, so templates are written to be grammatical for anybody:
no gendered pronouns, adjectives or participles referring to the contact or the colleague
(e.g. Polish avoids gendered past tenses, Romance languages avoid agreeing participles) and,
because names are only available in the nominative, Polish templates use names only where
the nominative is correct.

Composition
-----------
All random draws are made up front (one template choice and one draw per value placeholder per
row), so the same generator state gives the same output.  Rows are then grouped by template;
inside a group each literal piece and placeholder is appended with one element-wise ``np.add``
over the group's object arrays of ``str`` (no per-row Python loop; object arrays proved faster
than ``StringDType`` here because gathers, scatters and the final conversion are pointer copies).
Span offsets are computed without searching the text: every span boundary is "number of literal
characters before it" (a constant of the template) plus the cumulative length of the values
filled in before it (a per-row cumulative sum of value lengths).  Offsets are in characters
(Python ``str`` indices); spans are written directly to their final, row-ordered position.
"""

from __future__ import annotations

import re
import textwrap
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "KINDS",
    "LANGUAGES",
    "NAME_PLACEHOLDERS",
    "SPAN_KINDS",
    "SPECIAL_CATEGORIES",
    "TEMPLATES",
    "VALUES",
    "VALUE_PLACEHOLDERS",
    "compose_notes",
]

LANGUAGES: tuple[str, ...] = ("de", "fr", "it", "es", "nl", "pl", "sv", "pt")
SPECIAL_CATEGORIES: tuple[str, ...] = (
    "health",
    "religion",
    "ethnic_origin",
    "political_opinion",
    "trade_union",
    "sex_life",
    "genetic",
    "biometric",
)
KINDS: tuple[str, ...] = ("neutral", *SPECIAL_CATEGORIES, "criminal")
#: Categories of the ``kind`` column of the spans frame (in this order).
SPAN_KINDS: tuple[str, ...] = ("person_name", *SPECIAL_CATEGORIES, "criminal")
NAME_PLACEHOLDERS: tuple[str, ...] = ("first_name", "last_name", "full_name", "colleague")
VALUE_PLACEHOLDERS: tuple[str, ...] = (
    "product", "weekday", "month", "hour", "amount", "percent", "quantity", "ticket",
)


# --------------------------------------------------------------------------------------------
# Value lists
# --------------------------------------------------------------------------------------------

def _amounts(thousands_sep: str, pattern: str, scale: int = 1) -> tuple[str, ...]:
    """Round amounts from 400 to 24,950 (times ``scale``) formatted the local way."""
    return tuple(
        pattern.format(f"{v * scale:,}".replace(",", thousands_sep)) for v in range(400, 25_000, 50)
    )


_BRANDS = ("SmartOffice Pro", "CloudBackup 500", "DataSafe Business", "TeamPlanner Plus", "SecureLink VPN")
_HOURS = tuple(str(h) for h in range(8, 18))
_PERCENTS = tuple(str(p) for p in range(3, 26))
# No number ending in 2, 3 or 4 (other than 12-14): Polish would need another noun form.
_QUANTITIES = tuple(str(q) for q in (5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 80, 100, 120, 150, 200, 250,
                                     300, 500))
_TICKETS = tuple(str(t) for t in range(40_000, 50_000))

VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "product": (*_BRANDS, "RechnungsManager", "Lager360"),
        "weekday": ("am Montag", "am Dienstag", "am Mittwoch", "am Donnerstag", "am Freitag"),
        "month": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                  "Oktober", "November", "Dezember"),
        "amount": _amounts(".", "{} €"),
    },
    "fr": {
        "product": (*_BRANDS, "FacturExpert", "Stock360"),
        "weekday": ("lundi", "mardi", "mercredi", "jeudi", "vendredi"),
        "month": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                  "octobre", "novembre", "décembre"),
        "amount": _amounts(" ", "{} €"),
    },
    "it": {
        "product": (*_BRANDS, "FatturaFacile", "Magazzino360"),
        "weekday": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì"),
        "month": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
                  "settembre", "ottobre", "novembre", "dicembre"),
        "amount": _amounts(".", "{} €"),
    },
    "es": {
        "product": (*_BRANDS, "FacturaPlus", "Almacén360"),
        "weekday": ("el lunes", "el martes", "el miércoles", "el jueves", "el viernes"),
        "month": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
                  "octubre", "noviembre", "diciembre"),
        "amount": _amounts(".", "{} €"),
    },
    "nl": {
        "product": (*_BRANDS, "FactuurPro", "Voorraad360"),
        "weekday": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"),
        "month": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                  "oktober", "november", "december"),
        "amount": _amounts(".", "€ {}"),
    },
    "pl": {
        "product": (*_BRANDS, "FakturaPlus", "Magazyn360"),
        "weekday": ("w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek"),
        "month": ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia",
                  "września", "października", "listopada", "grudnia"),
        "amount": _amounts(" ", "{} zł", scale=4),
    },
    "sv": {
        "product": (*_BRANDS, "FakturaPro", "Lager360"),
        "weekday": ("på måndag", "på tisdag", "på onsdag", "på torsdag", "på fredag"),
        "month": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                  "oktober", "november", "december"),
        "amount": _amounts(" ", "{} kr", scale=10),
    },
    "pt": {
        "product": (*_BRANDS, "FaturaFácil", "Armazém360"),
        "weekday": ("na segunda-feira", "na terça-feira", "na quarta-feira", "na quinta-feira",
                    "na sexta-feira"),
        "month": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
                  "outubro", "novembro", "dezembro"),
        "amount": _amounts(" ", "{} €"),
    },
}
for _values in VALUES.values():
    _values.update(hour=_HOURS, percent=_PERCENTS, quantity=_QUANTITIES, ticket=_TICKETS)


# --------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------

def _template_block(block: str) -> dict[str, tuple[str, ...]]:
    """Parse a text block of templates: ``[kind]`` headers, ``- `` starts a template, and
    indented continuation lines are joined to it with a single space."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in textwrap.dedent(block).splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]") and not line.startswith("[["):
            current = out.setdefault(line[1:-1], [])
        elif line.startswith("- ") and current is not None:
            current.append(line[2:])
        elif current:
            current[-1] += " " + line
        else:
            raise ValueError(f"template text outside a template: {line!r}")
    return {kind: tuple(templates) for kind, templates in out.items()}


TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "de": _template_block("""
        [neutral]
        - {first_name} fragt nach {percent} % Rabatt auf {product}, wenn wir bis Ende {month} abschließen.
          Mit {colleague} abstimmen.
        - Angebot über {amount} für {product} an {full_name} geschickt. Nachfassen {weekday}.
        - Lieferverzug: {full_name} hat angerufen, die Ware ist immer noch nicht da. Neuer Liefertermin
          {weekday}, Spedition ist informiert.
        - Lieferung ist angekommen, aber von {quantity} Kartons war einer beschädigt. Ersatz ist veranlasst,
          Fotos hat {first_name} per Mail geschickt.
        - Vertrag läuft Ende {month} aus. {first_name} möchte verlängern, allerdings nur mit 24 Monaten
          Laufzeit und Preisgarantie.
        - Verlängerung wackelt: {full_name} hat ein günstigeres Angebot vom Wettbewerb auf dem Tisch. Habe um
          eine Kopie gebeten, Rückmeldung kommt {weekday}.
        - Rückfrage zur Rechnung über {amount}: Der vereinbarte Rabatt fehlt. Gutschrift mit {colleague}
          klären und {first_name} informieren.
        - Rechnungsadresse war falsch hinterlegt und ist jetzt korrigiert. {first_name} bekommt die Rechnung
          neu per E-Mail.
        - Demo lief gut, {first_name} möchte einen Testzugang für das ganze Team. Freischaltung übernimmt
          {colleague}.
        - Demo für {product} {weekday} um {hour} Uhr vereinbart, {colleague} ist dabei.
        - Reklamation: {product} stürzt beim Export ständig ab. Ticket #{ticket} angelegt, {first_name}
          erwartet bis morgen eine Lösung.
        - Beschwerde über die langen Reaktionszeiten im Support. {full_name} ist ziemlich verärgert, habe an
          {colleague} eskaliert.
        - Rückrufbitte: {full_name} möchte {weekday} nach {hour} Uhr zurückgerufen werden.
        - Nicht erreicht, auf die Mailbox gesprochen. Nächster Versuch {weekday}.
        - Meeting mit {full_name} und dem Einkauf: Budget für das nächste Quartal ist freigegeben, die
          Entscheidung fällt Ende {month}.
        - Anforderungsgespräch mit {first_name}: Schnittstelle zu SAP ist Pflicht. Technischen Termin mit
          {colleague} und der IT des Kunden vereinbaren.
        - Support: {first_name} kam nicht mehr ins Kundenportal. Passwort zurückgesetzt, Login funktioniert
          wieder.
        - Ticket #{ticket} geschlossen. {first_name} ist mit der Lösung zufrieden, kein weiterer
          Handlungsbedarf.
        - Ansprechpartnerwechsel: {full_name} verlässt das Unternehmen Ende {month}. Die Nachfolge meldet
          sich bei {colleague}.
        - Interesse an einem Upgrade auf {product} für {quantity} Nutzer. Preisvorschlag {weekday} schicken.
        - Zahlungserinnerung: Rechnung über {amount} ist seit drei Wochen offen. {last_name} sagt die
          Zahlung {weekday} zu.
        - Auftrag bestätigt: {quantity} Lizenzen {product}, Bereitstellung wie besprochen Ende {month}.
        - {first_name} fragt nach einer Schulung für neue Mitarbeitende im {month}. {colleague} schickt
          Terminvorschläge.
        - {full_name} möchte keinen Newsletter mehr, Kontakt bitte nur noch per E-Mail. Im CRM vermerkt.
        - Auf der Messe kennengelernt. {first_name} interessiert sich für {product}, Unterlagen und
          Preisliste nachschicken.
        - Vertragsentwurf liegt bei der Rechtsabteilung des Kunden. {colleague} schickt {weekday} die
          überarbeitete Fassung an {full_name}.
        - {full_name} ist offen für eine Referenzstory über das Projekt. Mit dem Marketing sprechen.
        - Preiserhöhung um {percent} % ab {month} angekündigt. {last_name} war nicht begeistert, akzeptiert
          sie aber, wenn der Service stimmt.
        - Kurzes Telefonat mit {first_name}: Alles läuft, keine offenen Punkte. Nächster Check-in im {month}.
        - {first_name} bittet um die AGB und das Datenblatt zu {product}.
        [health]
        - Termin abgesagt – [[{first_name} liegt nach einem Herzinfarkt im Krankenhaus]]. In zwei Wochen
          wieder melden.
        - [[{first_name} hat Diabetes]] und muss pünktlich essen, Meetings deshalb nicht über Mittag legen.
        - [[{full_name} ist seit {month} wegen eines Burnouts krankgeschrieben]]. Bis auf Weiteres läuft
          alles über das Sekretariat.
        - Bitte keine Termine donnerstags: [[{first_name} hat donnerstags Chemotherapie]].
        - Angebot {product} erst {weekday} besprechen, [[{first_name} ist nach einem Bandscheibenvorfall
          noch in der Reha]].
        [religion]
        - Keine Termine freitags ab Mittag – [[{first_name} geht zum Freitagsgebet in die Moschee]].
        - [[{first_name} gehört den Zeugen Jehovas an]] und möchte deshalb keine Weihnachts- oder
          Geburtstagsgrüße von uns.
        - Für den Workshop koscheres Catering bestellen, [[{first_name} ist jüdisch und isst streng
          koscher]].
        - [[{first_name} ist im Kirchenvorstand der katholischen Gemeinde aktiv]], sonntags und an
          Feiertagen keinesfalls anrufen.
        - Kein Geschäftsessen vor Sonnenuntergang vorschlagen, [[{first_name} hält den Ramadan ein]].
        [ethnic_origin]
        - [[{first_name} stammt aus einer kurdischen Familie]] und spricht fließend Türkisch – interessant
          für das Türkei-Geschäft.
        - Smalltalk: [[{first_name} ist türkischstämmig]], die Eltern kamen in den 70ern nach Duisburg.
        - [[{full_name} hat vietnamesische Wurzeln]] und meint, das helfe bei unserer Expansion nach Hanoi.
        - [[{first_name} gehört zur sorbischen Minderheit]] und hat gefragt, ob es {product} auch auf
          Sorbisch gibt.
        [political_opinion]
        - [[{first_name} ist Mitglied bei den Grünen und kandidiert bei der Kommunalwahl]], samstags wegen
          Wahlkampf nicht erreichbar.
        - Beim Mittagessen hat [[{first_name} offen gesagt, bei der nächsten Wahl AfD zu wählen]] – Politik
          im Gespräch besser meiden.
        - [[{full_name} sitzt für die SPD im Stadtrat]], dienstags sind Ratssitzungen, dann keine Termine.
        - [[{first_name} ist seit Jahren CDU-Mitglied und im Ortsverband aktiv]], hat uns zum Sommerfest
          eingeladen.
        [trade_union]
        - [[{first_name} sitzt im Betriebsrat und ist bei ver.di organisiert]] – die Einführung von
          {product} muss mit dem Betriebsrat abgestimmt werden.
        - Termin {weekday} fällt aus: [[{first_name} beteiligt sich am Warnstreik der IG Metall]].
        - [[{full_name} ist Gewerkschaftsmitglied bei der IG BCE]] und hat gefragt, ob wir tarifgebunden
          sind.
        - [[{first_name} verhandelt für ver.di gerade den Haustarifvertrag mit]], bis Ende {month} kaum
          Zeit.
        [sex_life]
        - [[{first_name} lebt in einer gleichgeschlechtlichen Partnerschaft]] – Einladung zum Kundenevent
          bitte für beide ausstellen.
        - Beim Abendessen nach der Messe [[hat sich {first_name} als bisexuell geoutet]]. Ansonsten
          Interesse an {product}.
        - [[{first_name} lebt nach eigener Aussage in einer offenen Beziehung]] und hat auf der Messe
          ziemlich offen geflirtet.
        - Vorsicht: [[{full_name} hat eine Affäre mit jemandem aus der eigenen Buchhaltung]], im Haus wohl
          ein offenes Geheimnis.
        [genetic]
        - [[Ein Gentest hat bei {first_name} eine BRCA1-Mutation ergeben]], deshalb ist eine vorsorgliche
          OP geplant – ab {month} einige Wochen nicht da.
        - [[{first_name} hat sich auf die Huntington-Mutation testen lassen, Ergebnis positiv]]. Will
          beruflich kürzertreten.
        - [[Laut Gentest trägt {first_name} die Anlage für Mukoviszidose]], das Thema kam wegen der
          Familienplanung auf.
        - [[{first_name} hat uns das Ergebnis eines DNA-Tests gezeigt: genetisch erhöhtes Alzheimer-Risiko
          (ApoE4)]].
        [biometric]
        - Zutrittssystem eingerichtet: [[Fingerabdruck von {full_name} eingelernt und als Template im
          Terminal gespeichert]].
        - [[Gesichtsbild von {first_name} für die Gesichtserkennung am Empfang hinterlegt]], Freigabe durch
          {colleague}.
        - Für die Stimm-Authentifizierung an der Hotline [[wurde ein Stimmprofil von {first_name}
          aufgezeichnet]].
        - [[Iris-Scan von {full_name} für den Zugang zum Serverraum registriert]], Freischaltung {weekday}.
        [criminal]
        - Vorsicht bei Zahlungszielen: [[{full_name} ist wegen Betrugs vorbestraft]].
        - [[{first_name} wurde wegen Trunkenheit am Steuer verurteilt und hat den Führerschein verloren]] –
          Termine nur noch per Video oder bei uns im Büro.
        - [[Gegen {first_name} läuft ein Ermittlungsverfahren wegen Bestechung]], Entscheidungen im Einkauf
          trifft vorerst die Stellvertretung.
        - [[{full_name} steht nach einer Verurteilung wegen Steuerhinterziehung unter Bewährung]] und darf
          laut eigener Aussage nicht ins Ausland reisen.
    """),
    "fr": _template_block("""
        [neutral]
        - {first_name} demande une remise de {percent} % sur {product} si on signe avant fin {month}. À voir
          avec {colleague}.
        - Devis de {amount} pour {product} envoyé à {full_name}. Relance prévue {weekday}.
        - Retard de livraison : {full_name} a appelé, la marchandise n'est toujours pas arrivée. Nouvelle
          date de livraison : {weekday}, transporteur prévenu.
        - Livraison reçue, mais sur {quantity} cartons, un était abîmé. Remplacement lancé, {first_name} a
          envoyé les photos par mail.
        - Le contrat arrive à échéance fin {month}. {first_name} veut renouveler, mais seulement avec un
          engagement de 24 mois et une garantie de prix.
        - Renouvellement incertain : {full_name} a une offre moins chère d'un concurrent. J'ai demandé une
          copie, retour prévu {weekday}.
        - Question sur la facture de {amount} : la remise convenue n'apparaît pas. Voir l'avoir avec
          {colleague} et informer {first_name}.
        - L'adresse de facturation était erronée, c'est corrigé. {first_name} recevra à nouveau la facture
          par e-mail.
        - La démo s'est bien passée, {first_name} souhaite un accès d'essai pour toute l'équipe.
          {colleague} s'occupe de l'activation.
        - Démo de {product} fixée {weekday} à {hour} h, avec {colleague}.
        - Réclamation : {product} plante sans arrêt lors de l'export. Ticket n° {ticket} ouvert,
          {first_name} attend une solution d'ici demain.
        - Plainte : {full_name} trouve les délais de réponse du support beaucoup trop longs. Dossier remonté
          à {colleague}.
        - Demande de rappel de {full_name} : {weekday} après {hour} h.
        - Pas joignable, message laissé sur le répondeur. Nouvel essai {weekday}.
        - Réunion avec {full_name} et les achats : budget validé pour le prochain trimestre, décision fin
          {month}.
        - Recueil des besoins avec {first_name} : l'interface avec SAP est indispensable. Organiser un point
          technique avec {colleague} et la DSI du client.
        - Support : {first_name} n'arrivait plus à se connecter au portail client. Mot de passe
          réinitialisé, l'accès fonctionne à nouveau.
        - Ticket n° {ticket} clôturé. {first_name} confirme que tout fonctionne, rien d'autre à faire.
        - Changement d'interlocuteur : {full_name} quitte l'entreprise fin {month}. La personne qui reprend
          le dossier contactera {colleague}.
        - Intérêt pour une montée en version vers {product} pour {quantity} utilisateurs. Envoyer une
          proposition tarifaire {weekday}.
        - Relance paiement : la facture de {amount} est impayée depuis trois semaines. {last_name} promet le
          virement pour {weekday}.
        - Commande confirmée : {quantity} licences {product}, mise à disposition fin {month} comme prévu.
        - {first_name} demande une formation pour les nouveaux collaborateurs en {month}. {colleague} envoie
          des propositions de dates.
        - {full_name} ne veut plus recevoir la newsletter, contact uniquement par e-mail. Noté dans le CRM.
        - Rencontre au salon. {first_name} s'intéresse à {product}, envoyer la documentation et la grille
          tarifaire.
        - Le projet de contrat est chez le service juridique du client. {colleague} envoie la version
          révisée à {full_name} {weekday}.
        - {full_name} est d'accord pour un témoignage client sur le projet. En parler au marketing.
        - Hausse de prix de {percent} % annoncée dès {month}. {last_name} a râlé, mais l'accepte si le
          service suit.
        - Point rapide avec {first_name} : tout roule, pas de sujet ouvert. Prochain point en {month}.
        - {first_name} demande les CGV et la fiche technique de {product}.
        [health]
        - Rendez-vous annulé : [[{first_name} est à l'hôpital après un infarctus]]. Reprendre contact dans
          deux semaines.
        - [[{first_name} a du diabète]] et doit manger à heures fixes, donc pas de réunion sur le temps de
          midi.
        - [[{full_name} est en arrêt maladie pour burn-out depuis {month}]]. En attendant, tout passe par le
          secrétariat.
        - Pas de rendez-vous le jeudi : [[{first_name} a sa chimiothérapie le jeudi]].
        - Offre {product} à voir seulement {weekday} : [[{first_name} est encore en rééducation après une
          hernie discale]].
        [religion]
        - Pas de rendez-vous le vendredi après-midi : [[{first_name} va à la mosquée pour la prière du
          vendredi]].
        - [[{first_name} est Témoin de Jéhovah]] et ne souhaite donc pas recevoir de vœux de Noël ni
          d'anniversaire de notre part.
        - Prévoir un traiteur casher pour l'atelier, [[{first_name} est de confession juive et mange
          strictement casher]].
        - [[{first_name} s'investit beaucoup dans la paroisse catholique]], ne jamais appeler le dimanche ni
          les jours fériés.
        - Pas de déjeuner d'affaires à proposer en ce moment, [[{first_name} fait le ramadan]].
        [ethnic_origin]
        - [[{first_name} vient d'une famille kurde]] et parle couramment turc, intéressant pour notre
          activité en Turquie.
        - Discussion informelle : [[{first_name} est d'origine marocaine]], ses parents sont arrivés à
          Marseille dans les années 70.
        - [[{full_name} a des origines vietnamiennes]] et pense que ça peut aider pour notre développement à
          Hanoï.
        - [[{first_name} a des racines kabyles]] et parle berbère à la maison, a demandé si {product} existe
          en tamazight.
        [political_opinion]
        - [[{first_name} milite chez Les Écologistes et se présente aux municipales]], pas joignable le
          samedi à cause de la campagne.
        - Au déjeuner, [[{first_name} a dit ouvertement voter RN aux prochaines élections]] – éviter la
          politique en rendez-vous.
        - [[{full_name} siège au conseil municipal pour le PS]], conseil le mardi soir, pas de rendez-vous ce
          jour-là.
        - [[{first_name} a sa carte chez LR depuis des années et s'implique dans la fédération locale]], nous
          a invités à la fête d'été.
        [trade_union]
        - [[{first_name} siège au CSE sur une liste CGT]] – le déploiement de {product} doit passer par le
          CSE.
        - Rendez-vous de {weekday} annulé : [[{first_name} participe à la grève appelée par la CFDT]].
        - [[{full_name} a sa carte à FO]] et a demandé si nous appliquons une convention collective.
        - [[{first_name} négocie en ce moment l'accord d'entreprise pour la CGT]], peu de disponibilité
          jusqu'à fin {month}.
        [sex_life]
        - [[{first_name} vit en couple avec une personne du même sexe]] – prévoir l'invitation à
          l'événement client pour les deux.
        - Au dîner après le salon, [[{first_name} nous a confié sa bisexualité]]. Sinon, intérêt pour
          {product}.
        - [[{first_name} dit vivre en couple libre]] et a pas mal flirté pendant le salon.
        - Attention : [[{full_name} a une liaison avec quelqu'un de la comptabilité]], apparemment un secret
          de Polichinelle en interne.
        [genetic]
        - [[Un test génétique a révélé chez {first_name} une mutation BRCA1]], une opération préventive est
          prévue – absence de quelques semaines dès {month}.
        - [[{first_name} a fait le test génétique de la maladie de Huntington, résultat positif]]. Souhaite
          lever le pied au travail.
        - [[D'après un test génétique, {first_name} porte le gène de la mucoviscidose]], le sujet est venu en
          parlant de projet bébé.
        - [[{first_name} nous a montré les résultats d'un test ADN : risque génétique accru d'Alzheimer
          (ApoE4)]].
        [biometric]
        - Contrôle d'accès installé : [[empreinte digitale de {full_name} enregistrée comme gabarit dans le
          terminal]].
        - [[Photo de {first_name} enregistrée pour la reconnaissance faciale à l'accueil]], validation par
          {colleague}.
        - Pour l'authentification vocale de la hotline, [[une empreinte vocale de {first_name} a été
          enregistrée]].
        - [[Scan de l'iris de {full_name} enregistré pour l'accès à la salle serveurs]], accès activé
          {weekday}.
        [criminal]
        - Prudence sur les délais de paiement : [[{full_name} a un casier judiciaire pour escroquerie]].
        - [[{first_name} a perdu son permis après une condamnation pour conduite en état d'ivresse]] –
          rendez-vous uniquement en visio ou dans nos locaux.
        - [[Une enquête pour corruption vise {first_name}]], les décisions d'achat sont prises par l'intérim
          pour le moment.
        - [[{full_name} est en sursis probatoire après une condamnation pour fraude fiscale]] et ne peut pas
          voyager à l'étranger d'après ce qui a été dit.
    """),
    "it": _template_block("""
        [neutral]
        - {first_name} chiede uno sconto del {percent}% su {product} se firmiamo entro fine {month}. Da
          sentire con {colleague}.
        - Inviata offerta di {amount} per {product} a {full_name}. Ricontattare {weekday}.
        - Ritardo nella consegna: ha chiamato {full_name}, la merce non è ancora arrivata. Nuova consegna
          prevista per {weekday}, corriere avvisato.
        - Consegna arrivata, ma su {quantity} colli uno era danneggiato. Sostituzione avviata, {first_name}
          ha mandato le foto via mail.
        - Il contratto scade a fine {month}. {first_name} vuole rinnovare, ma solo con durata di 24 mesi e
          prezzo bloccato.
        - Rinnovo in bilico: {full_name} ha un'offerta più economica di un concorrente. Ho chiesto una
          copia, risposta prevista per {weekday}.
        - Domanda sulla fattura di {amount}: manca lo sconto concordato. Verificare la nota di credito con
          {colleague} e aggiornare {first_name}.
        - L'indirizzo di fatturazione era sbagliato, ora è corretto. {first_name} riceverà di nuovo la
          fattura via e-mail.
        - La demo è andata bene, {first_name} vuole un accesso di prova per tutto il team. L'attivazione la
          gestisce {colleague}.
        - Demo di {product} fissata per {weekday} alle {hour}, partecipa anche {colleague}.
        - Reclamo: {product} va in crash continuamente durante l'esportazione. Aperto ticket n. {ticket},
          {first_name} si aspetta una soluzione entro domani.
        - Lamentela di {full_name} sui tempi di risposta dell'assistenza, decisamente troppo lunghi.
          Escalation a {colleague}.
        - Richiamare {full_name} {weekday} dopo le {hour}, come da sua richiesta.
        - Non raggiungibile, lasciato messaggio in segreteria. Riprovare {weekday}.
        - Riunione con {full_name} e l'ufficio acquisti: budget approvato per il prossimo trimestre,
          decisione a fine {month}.
        - Raccolta requisiti con {first_name}: l'integrazione con SAP è obbligatoria. Fissare una call
          tecnica con {colleague} e l'IT del cliente.
        - Assistenza: {first_name} non riusciva più ad accedere al portale clienti. Password reimpostata,
          l'accesso funziona di nuovo.
        - Ticket n. {ticket} chiuso. {first_name} conferma che è tutto risolto, nessuna ulteriore azione.
        - Cambio referente: {full_name} lascia l'azienda a fine {month}. Chi subentra contatterà
          {colleague}.
        - Interesse per l'upgrade a {product} per {quantity} utenti. Mandare una proposta economica
          {weekday}.
        - Sollecito di pagamento: la fattura di {amount} è scaduta da tre settimane. {last_name} promette il
          bonifico per {weekday}.
        - Ordine confermato: {quantity} licenze {product}, attivazione a fine {month} come concordato.
        - {first_name} chiede una formazione per i nuovi colleghi nel mese di {month}. {colleague} manda
          alcune date possibili.
        - {full_name} non vuole più ricevere la newsletter, contatto solo via e-mail. Annotato nel CRM.
        - Primo contatto in fiera. {first_name} ha mostrato interesse per {product}, inviare documentazione
          e listino.
        - La bozza di contratto è all'ufficio legale del cliente. {colleague} manda la versione rivista a
          {full_name} {weekday}.
        - {full_name} è disponibile per una case study sul progetto. Parlarne con il marketing.
        - Annunciato aumento dei prezzi del {percent}% da {month}. {last_name} non l'ha presa bene, ma lo
          accetta se il servizio è all'altezza.
        - Breve telefonata con {first_name}: tutto ok, nessun punto aperto. Prossimo aggiornamento nel mese
          di {month}.
        - {first_name} chiede le condizioni generali e la scheda tecnica di {product}.
        [health]
        - Appuntamento annullato: [[{first_name} è in ospedale dopo un infarto]]. Risentirsi tra due
          settimane.
        - [[{first_name} ha il diabete]] e deve mangiare a orari fissi, quindi niente riunioni all'ora di
          pranzo.
        - [[{full_name} è in malattia per burnout da {month}]]. Nel frattempo passa tutto dalla segreteria.
        - Niente appuntamenti il giovedì: [[{first_name} il giovedì fa la chemioterapia]].
        - Offerta {product} da discutere solo {weekday}: [[{first_name} sta ancora facendo riabilitazione
          dopo un'ernia del disco]].
        [religion]
        - Niente appuntamenti il venerdì pomeriggio: [[{first_name} va in moschea per la preghiera del
          venerdì]].
        - [[{first_name} è testimone di Geova]] e non vuole ricevere auguri di Natale o di compleanno da
          parte nostra.
        - Per il workshop ordinare un catering kosher, [[{first_name} è di religione ebraica e mangia
          rigorosamente kosher]].
        - [[{first_name} fa parte del consiglio pastorale della parrocchia]], mai chiamare la domenica o nei
          giorni festivi.
        - Non proporre pranzi di lavoro in questo periodo: [[{first_name} osserva il Ramadan]].
        [ethnic_origin]
        - [[{first_name} viene da una famiglia curda]] e parla fluentemente turco, utile per il mercato
          turco.
        - Chiacchierando: [[{first_name} è di origine senegalese]], i genitori sono arrivati a Torino negli
          anni '80.
        - [[{full_name} ha origini cinesi]] e dice che potrebbe aiutarci con i fornitori di Shenzhen.
        - [[{first_name} appartiene alla comunità rom]] e ci ha chiesto di sponsorizzare un progetto di
          inclusione nel quartiere.
        [political_opinion]
        - [[{first_name} ha la tessera del PD e si candida alle comunali]], il sabato non c'è per la
          campagna elettorale.
        - A pranzo [[{first_name} ha detto apertamente che alle prossime elezioni vota Fratelli d'Italia]]:
          meglio evitare la politica.
        - [[{full_name} siede in consiglio comunale per il Movimento 5 Stelle]], il martedì c'è consiglio,
          niente appuntamenti.
        - [[{first_name} fa volontariato per la Lega nella sezione locale]] e ci ha invitati alla festa di
          partito.
        [trade_union]
        - [[{first_name} è RSU della FIOM-CGIL]] – l'introduzione di {product} va concordata con la
          rappresentanza sindacale.
        - Appuntamento di {weekday} saltato: [[{first_name} aderisce allo sciopero proclamato dalla CGIL]].
        - [[{full_name} ha la tessera della CISL]] e ha chiesto se applichiamo un contratto collettivo.
        - [[{first_name} sta trattando il contratto integrativo aziendale per la UIL]], poco tempo fino a
          fine {month}.
        [sex_life]
        - [[{first_name} convive con una persona dello stesso sesso]] – l'invito all'evento clienti va fatto
          per entrambi.
        - A cena dopo la fiera [[{first_name} ci ha confidato di essere bisessuale]]. Per il resto interesse
          per {product}.
        - [[{first_name} dice di avere una relazione aperta]] e in fiera ha flirtato parecchio.
        - Attenzione: [[{full_name} ha una relazione extraconiugale con qualcuno dell'amministrazione]], pare
          sia un segreto di Pulcinella in azienda.
        [genetic]
        - [[Un test genetico ha evidenziato in {first_name} una mutazione BRCA1]], è previsto un intervento
          preventivo: assenza di qualche settimana da {month}.
        - [[{first_name} ha fatto il test genetico per la malattia di Huntington, esito positivo]]. Vuole
          ridurre gli impegni di lavoro.
        - [[Un test genetico ha rilevato in {first_name} una mutazione del gene della fibrosi cistica]],
          argomento uscito parlando di figli.
        - [[{first_name} ci ha mostrato i risultati di un test del DNA: rischio genetico elevato di
          Alzheimer (ApoE4)]].
        [biometric]
        - Sistema di accesso configurato: [[impronta digitale di {full_name} acquisita e salvata come
          template nel terminale]].
        - [[Foto del volto di {first_name} registrata per il riconoscimento facciale in reception]],
          approvazione di {colleague}.
        - Per l'autenticazione vocale del servizio clienti [[è stata registrata un'impronta vocale di
          {first_name}]].
        - [[Scansione dell'iride di {full_name} registrata per l'accesso alla sala server]], accesso attivo
          da {weekday}.
        [criminal]
        - Attenzione ai termini di pagamento: [[{full_name} ha precedenti penali per truffa]].
        - [[{first_name} ha perso la patente dopo una condanna per guida in stato di ebbrezza]]: appuntamenti
          solo in videochiamata o da noi in ufficio.
        - [[Su {first_name} è in corso un'indagine per corruzione]], per ora gli acquisti li gestisce chi ne
          fa le veci.
        - [[{full_name} ha una condanna con pena sospesa per evasione fiscale]] e, a quanto dice, non può
          lasciare il Paese.
    """),
    "es": _template_block("""
        [neutral]
        - {first_name} pide un descuento del {percent} % en {product} si firmamos antes de finales de
          {month}. Consultarlo con {colleague}.
        - Enviada oferta de {amount} para {product} a {full_name}. Hacer seguimiento {weekday}.
        - Retraso en la entrega: ha llamado {full_name}, la mercancía sigue sin llegar. Nueva fecha de
          entrega: {weekday}; transportista avisado.
        - Ha llegado el pedido, pero de {quantity} cajas una venía dañada. Reposición en marcha; {first_name}
          ha enviado fotos por correo.
        - El contrato vence a finales de {month}. {first_name} quiere renovar, pero solo con permanencia de
          24 meses y precio garantizado.
        - Renovación en el aire: {full_name} tiene una oferta más barata de la competencia. He pedido una
          copia; nos contesta {weekday}.
        - Consulta sobre la factura de {amount}: no aparece el descuento acordado. Revisar el abono con
          {colleague} e informar a {first_name}.
        - La dirección de facturación estaba mal, ya está corregida. {first_name} recibirá de nuevo la
          factura por correo electrónico.
        - La demo fue bien; {first_name} quiere un acceso de prueba para todo el equipo. {colleague} se
          encarga de activarlo.
        - Demo de {product} programada para {weekday} a las {hour}:00, con {colleague}.
        - Reclamación: {product} se cuelga continuamente al exportar. Abierta incidencia n.º {ticket};
          {first_name} espera una solución para mañana.
        - Queja de {full_name} por los tiempos de respuesta del soporte, demasiado largos. Escalado a
          {colleague}.
        - Petición de llamada: {full_name} pide una llamada {weekday} a partir de las {hour}:00.
        - No contesta; dejado mensaje en el buzón de voz. Volver a intentarlo {weekday}.
        - Reunión con {full_name} y compras: presupuesto aprobado para el próximo trimestre, decisión a
          finales de {month}.
        - Toma de requisitos con {first_name}: la integración con SAP es imprescindible. Organizar una
          llamada técnica con {colleague} y el departamento de sistemas del cliente.
        - Soporte: {first_name} no podía entrar en el portal de clientes. Contraseña restablecida, el acceso
          vuelve a funcionar.
        - Incidencia n.º {ticket} cerrada. {first_name} confirma que todo funciona; no hay más acciones
          pendientes.
        - Cambio de interlocutor: {full_name} deja la empresa a finales de {month}. La persona que asuma sus
          funciones contactará con {colleague}.
        - Interés en pasar a {product} para {quantity} usuarios. Enviar propuesta de precio {weekday}.
        - Recordatorio de pago: la factura de {amount} lleva tres semanas vencida. {last_name} promete la
          transferencia para {weekday}.
        - Pedido confirmado: {quantity} licencias de {product}, activación a finales de {month} según lo
          acordado.
        - {first_name} pide una formación para el personal nuevo en {month}. {colleague} enviará propuestas
          de fechas.
        - {full_name} no quiere recibir más la newsletter; contacto solo por correo electrónico. Anotado en
          el CRM.
        - Contacto hecho en la feria. {first_name} muestra interés en {product}; enviar documentación y
          tarifas.
        - El borrador del contrato está en el departamento jurídico del cliente. {colleague} enviará la
          versión revisada a {full_name} {weekday}.
        - {full_name} acepta participar en un caso de éxito sobre el proyecto. Hablarlo con marketing.
        - Comunicada subida de precios del {percent} % a partir de {month}. A {last_name} no le ha hecho
          gracia, pero la acepta si el servicio responde.
        - Llamada rápida con {first_name}: todo en orden, nada pendiente. Próximo seguimiento en {month}.
        - {first_name} solicita las condiciones generales y la ficha técnica de {product}.
        [health]
        - Reunión cancelada: [[{first_name} está en el hospital tras un infarto]]. Volver a contactar en
          dos semanas.
        - [[{first_name} tiene diabetes]] y necesita comer a horas fijas, así que nada de reuniones a
          mediodía.
        - [[{full_name} está de baja por burnout desde {month}]]. Mientras tanto, todo a través de
          secretaría.
        - Nada de citas los jueves: [[{first_name} tiene sesión de quimioterapia los jueves]].
        - La oferta de {product} se revisa {weekday}: [[{first_name} sigue en rehabilitación por una hernia
          discal]].
        [religion]
        - Nada de reuniones el viernes por la tarde: [[{first_name} va a la mezquita para el rezo del
          viernes]].
        - [[{first_name} es testigo de Jehová]] y no quiere recibir felicitaciones de Navidad ni de
          cumpleaños por nuestra parte.
        - Pedir catering kosher para el taller, [[{first_name} es de religión judía y come estrictamente
          kosher]].
        - [[{first_name} colabora en la parroquia católica del barrio]], no llamar nunca los domingos ni
          festivos.
        - No proponer comidas de trabajo estas semanas: [[{first_name} está haciendo el Ramadán]].
        [ethnic_origin]
        - [[{first_name} viene de una familia kurda]] y habla turco con fluidez; interesante para el mercado
          turco.
        - Charlando: [[{first_name} es de origen marroquí]], sus padres llegaron a Almería en los 90.
        - [[{full_name} tiene raíces ecuatorianas]] y dice que eso nos puede ayudar a abrir mercado en
          Quito.
        - [[{first_name} pertenece a la comunidad gitana]] y nos ha pedido patrocinar un proyecto de
          inserción laboral.
        [political_opinion]
        - [[{first_name} milita en Sumar y se presenta a las municipales]]; los sábados no está disponible
          por la campaña.
        - En la comida, [[{first_name} dijo abiertamente que en las próximas elecciones vota a Vox]]; mejor
          evitar hablar de política.
        - [[{full_name} es concejal del PSOE en el ayuntamiento]]; los martes hay pleno, nada de reuniones.
        - [[{first_name} tiene el carné del PP desde hace años y colabora con la agrupación local]]; nos ha
          invitado a la fiesta del partido.
        [trade_union]
        - [[{first_name} forma parte del comité de empresa por CCOO]]; la implantación de {product} tiene
          que pasar por el comité.
        - Cancelada la reunión prevista para {weekday}: [[{first_name} secunda la huelga convocada por
          UGT]].
        - [[{full_name} tiene el carné de CCOO]] y ha preguntado si aplicamos convenio colectivo.
        - [[{first_name} está negociando el convenio de empresa en nombre de UGT]]; poca disponibilidad
          hasta finales de {month}.
        [sex_life]
        - [[{first_name} vive con su pareja del mismo sexo]]; la invitación al evento de clientes, para los
          dos.
        - En la cena después de la feria, [[{first_name} nos contó que es bisexual]]. Por lo demás, interés
          en {product}.
        - [[{first_name} dice que tiene una relación abierta]] y en la feria estuvo ligando bastante.
        - Ojo: [[{full_name} tiene un lío con alguien de contabilidad]], por lo visto en la empresa es un
          secreto a voces.
        [genetic]
        - [[Un test genético detectó en {first_name} una mutación BRCA1]]; tiene prevista una cirugía
          preventiva y estará fuera unas semanas desde {month}.
        - [[{first_name} se hizo el test genético de la enfermedad de Huntington y dio positivo]]. Quiere
          reducir la carga de trabajo.
        - [[Según un test genético, {first_name} tiene una mutación del gen de la fibrosis quística]]; salió
          el tema hablando de tener hijos.
        - [[{first_name} nos enseñó los resultados de un test de ADN: riesgo genético elevado de alzhéimer
          (ApoE4)]].
        [biometric]
        - Control de accesos configurado: [[huella dactilar de {full_name} registrada y guardada como
          plantilla en el terminal]].
        - [[Foto del rostro de {first_name} dada de alta para el reconocimiento facial en recepción]], con
          el visto bueno de {colleague}.
        - Para la autenticación por voz en la línea de atención, [[se ha grabado la huella vocal de
          {first_name}]].
        - [[Escaneo del iris de {full_name} registrado para acceder a la sala de servidores]]; acceso activo
          desde {weekday}.
        [criminal]
        - Cuidado con los plazos de pago: [[{full_name} tiene antecedentes penales por estafa]].
        - [[A {first_name} le retiraron el carné tras una condena por conducir bajo los efectos del
          alcohol]]; reuniones solo por videollamada o en nuestra oficina.
        - [[Hay una investigación abierta contra {first_name} por cohecho]]; de momento las compras las
          decide quien hace sus veces.
        - [[{full_name} tiene una condena suspendida por fraude fiscal]] y, según nos contó, no puede salir
          del país.
    """),
    "nl": _template_block("""
        [neutral]
        - {first_name} vraagt {percent}% korting op {product} als we vóór eind {month} tekenen. Afstemmen met
          {colleague}.
        - Offerte van {amount} voor {product} naar {full_name} gestuurd. Nabellen op {weekday}.
        - Leveringsachterstand: {full_name} belde, de goederen zijn er nog steeds niet. Nieuwe leverdatum:
          {weekday}, vervoerder is ingelicht.
        - Levering ontvangen, maar van de {quantity} dozen was er één beschadigd. Vervanging is geregeld,
          {first_name} heeft foto's gemaild.
        - Het contract loopt eind {month} af. {first_name} wil verlengen, maar alleen met een looptijd van
          24 maanden en prijsgarantie.
        - Verlenging onzeker: {full_name} heeft een goedkopere offerte van een concurrent. Kopie gevraagd,
          uitsluitsel volgt op {weekday}.
        - Vraag over de factuur van {amount}: de afgesproken korting ontbreekt. Creditnota met {colleague}
          regelen en {first_name} informeren.
        - Het factuuradres stond verkeerd in het systeem en is nu aangepast. {first_name} krijgt de factuur
          opnieuw per e-mail.
        - Demo ging goed, {first_name} wil een testaccount voor het hele team. {colleague} regelt de
          activering.
        - Demo van {product} ingepland op {weekday} om {hour}.00 uur, {colleague} sluit aan.
        - Klacht: {product} crasht steeds bij het exporteren. Ticket #{ticket} aangemaakt, {first_name}
          verwacht morgen een oplossing.
        - Klacht van {full_name} over de lange reactietijden van de support. Geëscaleerd naar {colleague}.
        - Terugbelverzoek: {full_name} wil op {weekday} na {hour}.00 uur teruggebeld worden.
        - Niet bereikt, voicemail ingesproken. Op {weekday} opnieuw proberen.
        - Overleg met {full_name} en inkoop: budget voor volgend kwartaal is goedgekeurd, beslissing eind
          {month}.
        - Requirementsgesprek met {first_name}: koppeling met SAP is een must. Technisch overleg plannen met
          {colleague} en de IT-afdeling van de klant.
        - Support: {first_name} kon niet meer inloggen op het klantportaal. Wachtwoord gereset, inloggen
          werkt weer.
        - Ticket #{ticket} gesloten. {first_name} bevestigt dat alles werkt, geen verdere actie nodig.
        - Nieuw aanspreekpunt: {full_name} vertrekt eind {month} bij het bedrijf. De opvolger neemt contact
          op met {colleague}.
        - Interesse in een upgrade naar {product} voor {quantity} gebruikers. Prijsvoorstel op {weekday}
          sturen.
        - Betalingsherinnering: factuur van {amount} staat al drie weken open. {last_name} zegt betaling toe
          voor {weekday}.
        - Order bevestigd: {quantity} licenties {product}, beschikbaar eind {month} zoals afgesproken.
        - {first_name} vraagt om een training voor nieuwe medewerkers in {month}. {colleague} stuurt
          datumvoorstellen.
        - {full_name} wil geen nieuwsbrief meer ontvangen, alleen nog contact per e-mail. Vastgelegd in het
          CRM.
        - Op de beurs leren kennen. {first_name} heeft interesse in {product}, documentatie en prijslijst
          nasturen.
        - Het conceptcontract ligt bij de juridische afdeling van de klant. {colleague} stuurt op {weekday}
          de herziene versie naar {full_name}.
        - {full_name} staat open voor een klantcase over het project. Met marketing bespreken.
        - Prijsverhoging van {percent}% vanaf {month} aangekondigd. {last_name} was er niet blij mee, maar
          gaat akkoord als de service klopt.
        - Kort belletje met {first_name}: alles loopt, geen openstaande punten. Volgende check-in in
          {month}.
        - {first_name} vraagt om de algemene voorwaarden en het productblad van {product}.
        [health]
        - Afspraak afgezegd: [[{first_name} ligt na een hartinfarct in het ziekenhuis]]. Over twee weken weer
          contact opnemen.
        - [[{first_name} heeft diabetes]] en moet op vaste tijden eten, dus geen overleg tijdens de lunch.
        - [[{full_name} zit sinds {month} thuis met een burn-out]]. Tot nader order loopt alles via het
          secretariaat.
        - Geen afspraken op donderdag: [[{first_name} krijgt op donderdag chemotherapie]].
        - Offerte {product} pas op {weekday} bespreken, [[{first_name} revalideert nog na een hernia]].
        [religion]
        - Geen afspraken op vrijdagmiddag: [[{first_name} gaat dan naar het vrijdaggebed in de moskee]].
        - [[{first_name} is Jehova's getuige]] en wil daarom geen kerst- of verjaardagswensen van ons
          ontvangen.
        - Koosjere catering bestellen voor de workshop, [[{first_name} is joods en eet strikt koosjer]].
        - [[{first_name} zit in het parochiebestuur van de katholieke kerk]], op zondag en feestdagen nooit
          bellen.
        - Geen zakenlunches voorstellen de komende weken: [[{first_name} doet mee aan de ramadan]].
        [ethnic_origin]
        - [[{first_name} komt uit een Koerdische familie]] en spreekt vloeiend Turks, interessant voor de
          Turkse markt.
        - Tijdens het koffiepraatje: [[{first_name} is van Marokkaanse afkomst]], de ouders kwamen in de
          jaren 70 naar Rotterdam.
        - [[{full_name} heeft Hindoestaans-Surinaamse roots]] en denkt dat dat helpt bij onze plannen in
          Paramaribo.
        - [[{first_name} is van Molukse afkomst]] en vroeg of we iets willen sponsoren voor de Molukse
          gemeenschap in Culemborg.
        [political_opinion]
        - [[{first_name} is lid van GroenLinks-PvdA en staat op de kieslijst voor de gemeenteraad]], op
          zaterdag niet bereikbaar vanwege de campagne.
        - Tijdens de lunch zei [[{first_name} openlijk op de PVV te stemmen]] – politiek in gesprekken liever
          vermijden.
        - [[{full_name} zit voor de VVD in de gemeenteraad]], dinsdagavond raadsvergadering, dan geen
          afspraken.
        - [[{first_name} is actief lid van het CDA en zit in het afdelingsbestuur]], heeft ons uitgenodigd
          voor de zomerborrel.
        [trade_union]
        - [[{first_name} zit namens de FNV in de ondernemingsraad]] – invoering van {product} moet langs de
          OR.
        - Afspraak op {weekday} gaat niet door: [[{first_name} doet mee aan de staking van de FNV]].
        - [[{full_name} is vakbondslid bij CNV]] en vroeg of wij onder een cao vallen.
        - [[{first_name} onderhandelt namens de FNV over de bedrijfs-cao]], tot eind {month} weinig tijd.
        [sex_life]
        - [[{first_name} heeft een relatie met iemand van hetzelfde geslacht]] – uitnodiging voor het
          klantevent voor allebei.
        - Bij het diner na de beurs [[vertelde {first_name} biseksueel te zijn]]. Verder interesse in
          {product}.
        - [[{first_name} heeft naar eigen zeggen een open relatie]] en flirtte op de beurs behoorlijk.
        - Let op: [[{full_name} heeft een affaire met iemand van de eigen boekhouding]], intern een publiek
          geheim.
        [genetic]
        - [[Uit een DNA-test bij {first_name} bleek een BRCA1-mutatie]], daarom staat een preventieve
          operatie gepland – vanaf {month} een paar weken afwezig.
        - [[{first_name} heeft zich laten testen op het gen voor de ziekte van Huntington, uitslag
          positief]]. Wil het werk afbouwen.
        - [[Volgens een genetische test is {first_name} drager van het gen voor taaislijmziekte]], kwam ter
          sprake bij het onderwerp kinderwens.
        - [[{first_name} liet de uitslag van een DNA-test zien: genetisch verhoogd risico op alzheimer
          (ApoE4)]].
        [biometric]
        - Toegangssysteem ingericht: [[vingerafdruk van {full_name} ingelezen en als template in de terminal
          opgeslagen]].
        - [[Gezichtsfoto van {first_name} vastgelegd voor de gezichtsherkenning bij de receptie]],
          goedgekeurd door {colleague}.
        - Voor de stemherkenning van de helpdesk [[is een stemprofiel van {first_name} opgenomen]].
        - [[Irisscan van {full_name} geregistreerd voor toegang tot de serverruimte]], toegang actief vanaf
          {weekday}.
        [criminal]
        - Voorzichtig met betalingstermijnen: [[{full_name} heeft een strafblad wegens oplichting]].
        - [[{first_name} is veroordeeld voor rijden onder invloed en is het rijbewijs kwijt]] – afspraken
          alleen nog via video of bij ons op kantoor.
        - [[Tegen {first_name} loopt een strafrechtelijk onderzoek wegens omkoping]], inkoopbeslissingen
          liggen voorlopig bij de vervanger.
        - [[{full_name} heeft een voorwaardelijke straf gekregen voor belastingfraude]] en mag volgens eigen
          zeggen het land niet uit.
    """),
    "pl": _template_block("""
        [neutral]
        - {first_name} prosi o {percent}% rabatu na {product}, jeśli podpiszemy umowę do końca {month}.
          Temat prowadzi {colleague}.
        - Oferta na {product} na kwotę {amount} wysłana, odbiorca: {full_name}. Zadzwonić {weekday}.
        - Opóźnienie dostawy: dzwoni {full_name}, towaru nadal nie ma. Nowy termin dostawy: {weekday},
          przewoźnik poinformowany.
        - Dostawa dotarła, ale z {quantity} kartonów jeden był uszkodzony. Wymiana zlecona, zdjęcia
          {first_name} przesyła mailem.
        - Umowa wygasa z końcem {month}. {first_name} chce ją przedłużyć, ale tylko na 24 miesiące i z
          gwarancją ceny.
        - Przedłużenie pod znakiem zapytania: {full_name} ma tańszą ofertę od konkurencji. Poproszono o
          kopię, odpowiedź {weekday}.
        - Pytanie do faktury na {amount}: brakuje uzgodnionego rabatu. Korektę wyjaśnia {colleague},
          {first_name} czeka na informację.
        - Adres do faktury był błędny, już poprawiony. {first_name} dostanie fakturę ponownie mailem.
        - Demo wypadło dobrze, {first_name} chce dostęp testowy dla całego zespołu. Aktywacją zajmuje się
          {colleague}.
        - Demo {product}: {weekday} o {hour}:00, będzie też {colleague}.
        - Reklamacja: {product} ciągle się zawiesza przy eksporcie. Założono zgłoszenie nr {ticket},
          {first_name} oczekuje rozwiązania do jutra.
        - {full_name} skarży się na długi czas reakcji supportu. Sprawę przejmuje {colleague}.
        - Prośba o oddzwonienie: {full_name} prosi o telefon {weekday} po {hour}:00.
        - Brak kontaktu, nagrano wiadomość na pocztę głosową. Kolejna próba {weekday}.
        - Spotkanie: {full_name} i dział zakupów. Budżet na kolejny kwartał zatwierdzony, decyzja do końca
          {month}.
        - Zbieranie wymagań, rozmówca: {first_name}. Integracja z SAP jest konieczna. Umówić spotkanie
          techniczne z działem IT klienta, po naszej stronie {colleague}.
        - Wsparcie: {first_name} nie może zalogować się do portalu klienta. Hasło zresetowane, logowanie
          znowu działa.
        - Zgłoszenie nr {ticket} zamknięte. {first_name} potwierdza, że wszystko działa, brak dalszych
          działań.
        - Zmiana osoby kontaktowej: {full_name} odchodzi z firmy z końcem {month}. Osoba przejmująca
          obowiązki odezwie się sama, opiekun po naszej stronie: {colleague}.
        - Zainteresowanie przejściem na {product} dla {quantity} użytkowników. Wysłać propozycję cenową
          {weekday}.
        - Przypomnienie o płatności: faktura na {amount} od trzech tygodni nieopłacona. {last_name}
          deklaruje przelew {weekday}.
        - Zamówienie potwierdzone: {quantity} licencji {product}, uruchomienie z końcem {month}, zgodnie z
          ustaleniami.
        - {first_name} prosi o szkolenie dla nowych pracowników przed końcem {month}. Propozycje terminów
          wyśle {colleague}.
        - {full_name} nie chce już otrzymywać newslettera, kontakt tylko mailowo. Odnotowano w CRM.
        - Kontakt z targów: {first_name} pyta o {product}. Wysłać materiały i cennik.
        - Projekt umowy jest w dziale prawnym klienta. Poprawioną wersję wyśle {colleague} {weekday},
          adresat: {full_name}.
        - {full_name} zgadza się na case study z projektu. Omówić z marketingiem.
        - Zapowiedziano podwyżkę cen o {percent}% od {month}. {last_name} kręci nosem, ale akceptuje, jeśli
          serwis będzie na poziomie.
        - Krótka rozmowa: {first_name} mówi, że wszystko działa, brak otwartych tematów. Kolejny kontakt
          przed końcem {month}.
        - {first_name} prosi o ogólne warunki handlowe i kartę katalogową {product}.
        [health]
        - Spotkanie odwołane – [[{first_name} leży w szpitalu po zawale serca]]. Odezwać się za dwa
          tygodnie.
        - [[{first_name} choruje na cukrzycę]] i musi jeść o stałych porach, więc bez spotkań w porze
          obiadu.
        - [[{full_name} od {month} jest na zwolnieniu lekarskim z powodu wypalenia zawodowego]]. Do
          odwołania wszystko przez sekretariat.
        - Nie umawiać spotkań w czwartki: [[{first_name} ma w czwartki chemioterapię]].
        - Ofertę {product} omówić dopiero {weekday} – [[{first_name} jest jeszcze na rehabilitacji po
          przepuklinie kręgosłupa]].
        [religion]
        - Żadnych spotkań w piątki po południu – [[{first_name} chodzi wtedy do meczetu na piątkową
          modlitwę]].
        - [[{first_name} należy do Świadków Jehowy]] i nie chce od nas życzeń świątecznych ani
          urodzinowych.
        - Na warsztaty zamówić catering koszerny, [[{first_name} jest wyznania mojżeszowego i je wyłącznie
          koszernie]].
        - [[{first_name} działa w radzie parafialnej]], w niedziele i święta w ogóle nie dzwonić.
        - Nie proponować teraz lunchu biznesowego – [[{first_name} pości w ramadanie]].
        [ethnic_origin]
        - [[{first_name} pochodzi z rodziny kurdyjskiej]] i mówi płynnie po turecku – przyda się przy rynku
          tureckim.
        - Luźna rozmowa: [[{first_name} jest pochodzenia romskiego]], rodzina od pokoleń mieszka w Nowym
          Targu.
        - [[{full_name} ma wietnamskie korzenie]] i uważa, że to pomoże przy wejściu na rynek w Hanoi.
        - [[{first_name} należy do mniejszości białoruskiej na Podlasiu]] i pyta, czy {product} ma też
          wersję białoruską.
        [political_opinion]
        - [[{first_name} jest członkiem Polski 2050 i startuje w wyborach do rady miasta]], w soboty brak
          kontaktu z powodu kampanii.
        - Przy obiedzie [[{first_name} otwarcie mówi, że w najbliższych wyborach głosuje na Konfederację]] –
          lepiej unikać tematów politycznych.
        - [[{full_name} zasiada w radzie miasta z ramienia Lewicy]], we wtorki sesje rady, wtedy bez
          spotkań.
        - [[{first_name} od lat działa w lokalnych strukturach PiS]] i zaprasza nas na piknik partyjny.
        [trade_union]
        - [[{first_name} jest w zarządzie zakładowej „Solidarności”]] – wdrożenie {product} trzeba uzgodnić
          ze związkami.
        - Spotkanie {weekday} odwołane: [[{first_name} bierze udział w strajku ogłoszonym przez OPZZ]].
        - [[{full_name} należy do Związku Nauczycielstwa Polskiego]] i pyta, czy mamy układ zbiorowy.
        - [[{first_name} negocjuje w imieniu związku zawodowego nowy regulamin wynagradzania]], do końca
          {month} mało czasu.
        [sex_life]
        - [[{first_name} jest w związku z osobą tej samej płci]] – zaproszenie na event dla klientów
          wystawić dla obu osób.
        - Kolacja po targach: [[{first_name} otwarcie mówi o swojej biseksualności]]. Poza tym pyta o
          {product}.
        - [[{first_name} mówi, że jest w otwartym związku]], na targach sporo flirtuje.
        - Uwaga: [[{full_name} ma romans z kimś z własnej księgowości]], w firmie to podobno tajemnica
          poliszynela.
        [genetic]
        - [[{first_name} ma wykrytą w badaniu genetycznym mutację BRCA1]], planowana operacja profilaktyczna
          – od {month} kilka tygodni nieobecności.
        - [[{first_name} ma pozytywny wynik testu genetycznego na chorobę Huntingtona]]. Chce ograniczyć
          pracę.
        - [[{first_name} ma w badaniu genetycznym wykrytą mutację genu mukowiscydozy]], temat wyszedł przy
          rozmowie o planach rodzinnych.
        - [[{first_name} pokazuje wyniki testu DNA: podwyższone genetyczne ryzyko choroby Alzheimera
          (ApoE4)]].
        [biometric]
        - System kontroli dostępu skonfigurowany: [[{full_name} ma zapisany w terminalu wzorzec odcisku
          palca]].
        - [[{first_name} ma zarejestrowany wizerunek twarzy w systemie rozpoznawania twarzy w recepcji]],
          akceptacja: {colleague}.
        - [[{first_name} ma nagrany wzorzec głosu do uwierzytelniania głosowego na infolinii]].
        - [[{full_name} ma zarejestrowany skan tęczówki do wejścia do serwerowni]], dostęp zostanie
          aktywowany {weekday}.
        [criminal]
        - Ostrożnie z terminami płatności: [[{full_name} ma na koncie wyrok za oszustwo]].
        - [[{first_name} ma zakaz prowadzenia pojazdów po wyroku za jazdę po pijanemu]] – spotkania tylko
          online albo u nas w biurze.
        - [[{first_name} ma postawione zarzuty korupcyjne w toczącym się śledztwie]], decyzje zakupowe
          podejmuje na razie zastępstwo.
        - [[{full_name} ma wyrok w zawieszeniu za oszustwa podatkowe]] i, jak mówi, nie może wyjeżdżać za
          granicę.
    """),
    "sv": _template_block("""
        [neutral]
        - {first_name} vill ha {percent} % rabatt på {product} om vi skriver avtal före slutet av {month}.
          Stäm av med {colleague}.
        - Offert på {amount} för {product} skickad till {full_name}. Följ upp {weekday}.
        - Leveransförsening: {full_name} ringde, varorna har fortfarande inte kommit. De levereras i stället
          {weekday}, speditören är informerad.
        - Leveransen har kommit, men av {quantity} kartonger var en skadad. Ersättning ordnad, {first_name}
          har mejlat bilder.
        - Avtalet löper ut i slutet av {month}. {first_name} vill förlänga, men bara med 24 månaders
          bindningstid och prisgaranti.
        - Förlängningen osäker: {full_name} har fått ett billigare erbjudande från en konkurrent. Har bett
          om en kopia, besked kommer {weekday}.
        - Fråga om fakturan på {amount}: den överenskomna rabatten saknas. Kolla kreditering med {colleague}
          och återkoppla till {first_name}.
        - Fakturaadressen var fel i systemet och är nu rättad. {first_name} får fakturan på nytt via mejl.
        - Demon gick bra, {first_name} vill ha testkonto för hela teamet. {colleague} fixar aktiveringen.
        - Demo av {product} bokad {weekday} kl. {hour}, {colleague} är med.
        - Reklamation: {product} kraschar hela tiden vid export. Ärende #{ticket} skapat, {first_name}
          förväntar sig en lösning till i morgon.
        - Klagomål från {full_name} på långa svarstider i supporten. Eskalerat till {colleague}.
        - Återuppringning: {full_name} vill bli uppringd {weekday} efter kl. {hour}.
        - Fick inget svar, lämnade meddelande på röstbrevlådan. Nytt försök {weekday}.
        - Möte med {full_name} och inköp: budgeten för nästa kvartal är godkänd, beslut i slutet av {month}.
        - Behovsgenomgång med {first_name}: integration mot SAP är ett måste. Boka tekniskt möte med
          {colleague} och kundens IT-avdelning.
        - Support: {first_name} kom inte in i kundportalen. Lösenordet återställt, inloggningen fungerar
          igen.
        - Ärende #{ticket} stängt. {first_name} bekräftar att allt fungerar, inga fler åtgärder.
        - Ny kontaktperson: {full_name} slutar på företaget i slutet av {month}. Efterträdaren hör av sig
          till {colleague}.
        - Intresse för uppgradering till {product} för {quantity} användare. Skicka prisförslag {weekday}.
        - Betalningspåminnelse: fakturan på {amount} har varit obetald i tre veckor. {last_name} lovar att
          betala {weekday}.
        - Order bekräftad: {quantity} licenser {product}, driftstart i slutet av {month} enligt
          överenskommelse.
        - {first_name} vill ha en utbildning för nyanställda i {month}. {colleague} skickar förslag på
          datum.
        - {full_name} vill inte längre få nyhetsbrevet, endast kontakt via mejl. Noterat i CRM.
        - Träffades på mässan. {first_name} är intresserad av {product}, skicka material och prislista.
        - Avtalsutkastet ligger hos kundens juristavdelning. {colleague} skickar den reviderade versionen
          till {full_name} {weekday}.
        - {full_name} kan tänka sig att ställa upp i ett kundcase om projektet. Prata med marknad.
        - Prishöjning på {percent} % från och med {month} aviserad. {last_name} var inte förtjust, men
          accepterar om servicen håller måttet.
        - Kort avstämning med {first_name}: allt rullar på, inga öppna frågor. Nästa avstämning i {month}.
        - {first_name} ber om allmänna villkor och produktblad för {product}.
        [health]
        - Mötet inställt – [[{first_name} ligger på sjukhus efter en hjärtinfarkt]]. Hör av oss om två
          veckor.
        - [[{first_name} har diabetes]] och måste äta på fasta tider, så inga möten över lunch.
        - [[{full_name} är sjukskriven för utmattningssyndrom sedan {month}]]. Tills vidare går allt via
          sekreteraren.
        - Inga möten på torsdagar: [[{first_name} får cellgiftsbehandling på torsdagar]].
        - Offerten för {product} tar vi först {weekday}, [[{first_name} går fortfarande på rehab efter ett
          diskbråck]].
        [religion]
        - Inga möten på fredagseftermiddagar – [[{first_name} går till moskén för fredagsbönen]].
        - [[{first_name} är med i Jehovas vittnen]] och vill därför inte ha några jul- eller
          födelsedagshälsningar från oss.
        - Beställ koschercatering till workshoppen, [[{first_name} är judisk och äter strikt koscher]].
        - [[{first_name} sitter i kyrkorådet i den katolska församlingen]], ring aldrig på söndagar eller
          helgdagar.
        - Föreslå ingen affärslunch just nu, [[{first_name} fastar under ramadan]].
        [ethnic_origin]
        - [[{first_name} kommer från en kurdisk familj]] och talar flytande turkiska – intressant för
          Turkietaffärerna.
        - Småprat: [[{first_name} har somaliskt ursprung]], föräldrarna kom till Sverige på 90-talet.
        - [[{full_name} är same och har renskötsel i släkten]] och frågade om {product} finns på nordsamiska.
        - [[{first_name} har romska rötter]] och har bett oss sponsra ett integrationsprojekt.
        [political_opinion]
        - [[{first_name} är medlem i Miljöpartiet och kandiderar till kommunfullmäktige]], inte nåbar på
          lördagar på grund av valrörelsen.
        - Under lunchen [[sa {first_name} öppet att SD får rösten i nästa val]] – undvik politik i
          samtalen.
        - [[{full_name} sitter i kommunfullmäktige för Socialdemokraterna]], sammanträden på tisdagar, då
          inga möten.
        - [[{first_name} är aktiv i Moderaternas lokalavdelning]] och har bjudit in oss till sommarfesten.
        [trade_union]
        - [[{first_name} är fackligt förtroendevald för Unionen]] – införandet av {product} måste
          MBL-förhandlas.
        - Mötet {weekday} ställs in: [[{first_name} deltar i strejken som IF Metall har utlyst]].
        - [[{full_name} är med i fackförbundet Kommunal]] och frågade om vi har kollektivavtal.
        - [[{first_name} förhandlar för Vision om det lokala kollektivavtalet]], har ont om tid till slutet
          av {month}.
        [sex_life]
        - [[{first_name} lever i ett samkönat förhållande]] – bjud in båda till kundeventet.
        - På middagen efter mässan [[berättade {first_name} om sin bisexualitet]]. I övrigt intresse för
          {product}.
        - [[{first_name} säger sig leva i en öppen relation]] och flörtade en hel del på mässan.
        - Obs: [[{full_name} har en affär med någon på den egna ekonomiavdelningen]], tydligen en offentlig
          hemlighet internt.
        [genetic]
        - [[Ett gentest har visat att {first_name} har en BRCA1-mutation]], därför planeras en förebyggande
          operation – borta några veckor från och med {month}.
        - [[{first_name} har gentestat sig för Huntingtons sjukdom, positivt resultat]]. Vill trappa ner på
          jobbet.
        - [[Enligt ett gentest är {first_name} bärare av anlaget för cystisk fibros]], kom upp när vi
          pratade om barnplaner.
        - [[{first_name} visade resultatet av ett DNA-test: genetiskt förhöjd risk för alzheimer (ApoE4)]].
        [biometric]
        - Passersystem installerat: [[fingeravtryck från {full_name} registrerat och sparat som mall i
          terminalen]].
        - [[Ansiktsbild av {first_name} sparad för ansiktsigenkänningen i receptionen]], godkänd av
          {colleague}.
        - För röstautentisering i kundtjänst [[har ett röstavtryck av {first_name} spelats in]].
        - [[Irisskanning av {full_name} registrerad för tillträde till serverrummet]], aktiveras {weekday}.
        [criminal]
        - Var försiktig med betalningsvillkoren: [[{full_name} är dömd för bedrägeri]].
        - [[{first_name} har dömts för rattfylleri och förlorat körkortet]] – möten bara via video eller hos
          oss på kontoret.
        - [[{first_name} är misstänkt för mutbrott och en förundersökning pågår]], inköpsbeslut tas tills
          vidare av ersättaren.
        - [[{full_name} är dömd till skyddstillsyn för skattebrott]] och har regelbundna möten med
          frivården, därför ibland svår att nå.
    """),
    "pt": _template_block("""
        [neutral]
        - {first_name} pede um desconto de {percent}% em {product} se fecharmos até ao final de {month}.
          Falar com {colleague}.
        - Enviada proposta de {amount} para {product} a {full_name}. Fazer follow-up {weekday}.
        - Atraso na entrega: {full_name} ligou, a mercadoria ainda não chegou. Nova entrega {weekday},
          transportadora avisada.
        - A encomenda chegou, mas de {quantity} caixas uma vinha danificada. Substituição pedida,
          {first_name} enviou fotos por e-mail.
        - O contrato termina no final de {month}. {first_name} quer renovar, mas só com fidelização de 24
          meses e preço garantido.
        - Renovação em risco: {full_name} tem uma proposta mais barata de um concorrente. Pedi uma cópia,
          resposta {weekday}.
        - Dúvida sobre a fatura de {amount}: falta o desconto acordado. Ver a nota de crédito com
          {colleague} e informar {first_name}.
        - A morada de faturação estava errada, já foi corrigida. {first_name} vai receber novamente a fatura
          por e-mail.
        - A demo correu bem, {first_name} quer um acesso de teste para toda a equipa. {colleague} trata da
          ativação.
        - Ficou marcada a demo de {product}, {weekday} às {hour}h, com {colleague}.
        - Reclamação: {product} bloqueia constantemente ao exportar. Aberto o pedido n.º {ticket},
          {first_name} espera uma solução até amanhã.
        - Queixa de {full_name} sobre os tempos de resposta do suporte, demasiado longos. Escalado para
          {colleague}.
        - Pedido de contacto: {full_name} pede que liguemos {weekday} depois das {hour}h.
        - Não atendeu, deixei mensagem no correio de voz. Nova tentativa {weekday}.
        - Reunião com {full_name} e o departamento de compras: orçamento aprovado para o próximo trimestre,
          decisão no final de {month}.
        - Levantamento de requisitos com {first_name}: a integração com o SAP é obrigatória. Marcar reunião
          técnica com {colleague} e a equipa de TI do cliente.
        - Suporte: {first_name} não conseguia entrar no portal de clientes. Palavra-passe reposta, o acesso
          já funciona.
        - Pedido n.º {ticket} fechado. {first_name} confirma que está tudo a funcionar, sem mais ações.
        - Mudança de interlocutor: {full_name} sai da empresa no final de {month}. Quem assumir a pasta vai
          contactar {colleague}.
        - Interesse em passar para {product} com {quantity} utilizadores. Enviar proposta de preço
          {weekday}.
        - Lembrete de pagamento: a fatura de {amount} está em atraso há três semanas. {last_name} promete
          fazer a transferência {weekday}.
        - Encomenda confirmada: {quantity} licenças de {product}, ativação no final de {month}, conforme
          combinado.
        - {first_name} pede uma formação para os novos colaboradores em {month}. {colleague} vai enviar
          propostas de datas.
        - {full_name} já não quer receber a newsletter, contacto apenas por e-mail. Registado no CRM.
        - Contacto feito na feira. {first_name} mostrou interesse em {product}, enviar documentação e tabela
          de preços.
        - A minuta do contrato está no departamento jurídico do cliente. {colleague} envia a versão revista
          a {full_name} {weekday}.
        - {full_name} aceita participar num caso de estudo sobre o projeto. Falar com o marketing.
        - Anunciado aumento de preços de {percent}% a partir de {month}. {last_name} não gostou, mas aceita
          se o serviço estiver à altura.
        - Chamada rápida com {first_name}: está tudo bem, sem assuntos pendentes. Próximo ponto de situação
          em {month}.
        - {first_name} pede as condições gerais e a ficha técnica de {product}.
        [health]
        - Reunião cancelada: [[{first_name} está no hospital depois de um enfarte]]. Voltar a contactar
          daqui a duas semanas.
        - [[{first_name} tem diabetes]] e precisa de comer a horas certas, por isso nada de reuniões à hora
          de almoço.
        - [[{full_name} está de baixa por burnout desde {month}]]. Entretanto, tudo passa pelo secretariado.
        - Sem reuniões às quintas: [[{first_name} faz quimioterapia às quintas-feiras]].
        - A proposta de {product} só se discute {weekday}: [[{first_name} ainda está a fazer fisioterapia
          depois de uma hérnia discal]].
        [religion]
        - Sem reuniões à sexta à tarde: [[{first_name} vai à mesquita para a oração de sexta-feira]].
        - [[{first_name} é Testemunha de Jeová]] e não quer receber votos de Natal nem de aniversário da
          nossa parte.
        - Encomendar catering kosher para o workshop, [[{first_name} é de religião judaica e só come
          kosher]].
        - [[{first_name} faz parte do conselho paroquial da igreja católica]], nunca ligar aos domingos nem
          feriados.
        - Não propor almoços de negócios por agora: [[{first_name} está a fazer o Ramadão]].
        [ethnic_origin]
        - [[{first_name} vem de uma família curda]] e fala turco fluentemente, interessante para o mercado
          turco.
        - Em conversa: [[{first_name} é de origem cabo-verdiana]], os pais vieram para Lisboa nos anos 80.
        - [[{full_name} tem raízes goesas]] e diz que isso pode ajudar na nossa entrada na Índia.
        - [[{first_name} pertence à comunidade cigana]] e pediu-nos apoio para um projeto de inclusão local.
        [political_opinion]
        - [[{first_name} milita no Livre e concorre às autárquicas]], aos sábados não está contactável por
          causa da campanha.
        - Ao almoço, [[{first_name} disse abertamente que nas próximas eleições vota no Chega]] – melhor
          evitar política nas conversas.
        - [[{full_name} tem lugar na assembleia municipal pelo PS]], às terças há sessão, sem reuniões nesse
          dia.
        - [[{first_name} tem cartão do PSD há anos e participa na concelhia local]], convidou-nos para a
          festa do partido.
        [trade_union]
        - [[{first_name} é dirigente sindical da CGTP]] – a implementação de {product} tem de ser negociada
          com os representantes dos trabalhadores.
        - Reunião cancelada: [[{first_name} vai aderir à greve convocada pela UGT]] {weekday}.
        - [[{full_name} tem as quotas em dia no Sindicato dos Bancários]] e perguntou se aplicamos contrato
          coletivo.
        - [[{first_name} está a negociar o acordo de empresa em representação do sindicato]], pouca
          disponibilidade até ao final de {month}.
        [sex_life]
        - [[{first_name} vive com uma pessoa do mesmo sexo]] – o convite para o evento de clientes deve ser
          para os dois.
        - No jantar depois da feira, [[{first_name} contou-nos que é bissexual]]. De resto, interesse em
          {product}.
        - [[{first_name} diz que tem uma relação aberta]] e na feira esteve a namoriscar bastante.
        - Atenção: [[{full_name} tem um caso com alguém da contabilidade]], pelos vistos é segredo de
          polichinelo na empresa.
        [genetic]
        - [[Um teste genético detetou em {first_name} uma mutação BRCA1]], está prevista uma cirurgia
          preventiva – ausência de algumas semanas a partir de {month}.
        - [[{first_name} fez o teste genético para a doença de Huntington e deu positivo]]. Quer abrandar o
          ritmo de trabalho.
        - [[Segundo um teste genético, {first_name} tem uma mutação no gene da fibrose quística]], o tema
          surgiu a propósito de ter filhos.
        - [[{first_name} mostrou-nos os resultados de um teste de ADN: risco genético aumentado de Alzheimer
          (ApoE4)]].
        [biometric]
        - Controlo de acessos configurado: [[impressão digital de {full_name} registada e guardada como
          modelo no terminal]].
        - [[Fotografia do rosto de {first_name} registada para o reconhecimento facial na receção]],
          aprovação de {colleague}.
        - Para a autenticação por voz na linha de apoio, [[foi gravada uma impressão vocal de
          {first_name}]].
        - [[Leitura da íris de {full_name} registada para acesso à sala de servidores]], acesso ativado
          {weekday}.
        [criminal]
        - Cuidado com os prazos de pagamento: [[{full_name} tem cadastro por burla]].
        - [[{first_name} ficou sem carta de condução depois de uma condenação por condução sob o efeito do
          álcool]] – reuniões só por videochamada ou no nosso escritório.
        - [[Há um inquérito por corrupção contra {first_name}]], por enquanto as decisões de compra estão com
          quem assegura a substituição.
        - [[{full_name} tem pena suspensa por fraude fiscal]] e, segundo disse, não pode sair do país.
    """),
}


# --------------------------------------------------------------------------------------------
# Compilation of the templates (import time)
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\{(\w+)\}|\[\[|\]\]")
_PERSON = SPAN_KINDS.index("person_name")

# A sequence of pieces: literal strings and slot numbers (indices into ``_Template.slots``).
_Pieces = tuple[str | int, ...]


class _Span(NamedTuple):
    """A span of a template.  A boundary ``(const, k)`` lies ``const + len(v_0) + ... + len(v_{k-1})``
    characters into the note, where ``v_i`` is the value filled into slot ``i``."""

    kind: int  # index into SPAN_KINDS
    start: tuple[int, int]
    end: tuple[int, int]
    text: _Pieces  # how to build the spanned text from the values


class _Template(NamedTuple):
    pieces: _Pieces
    slots: tuple[str, ...]
    spans: tuple[_Span, ...]  # ordered by start, an enclosing span before the spans inside it


def _append(pieces: list[str | int], piece: str | int) -> None:
    if isinstance(piece, str) and pieces and isinstance(pieces[-1], str):
        pieces[-1] += piece
    elif piece != "":
        pieces.append(piece)


def _compile(template: str, kind: str) -> _Template:
    pieces: list[str | int] = []
    phrase: list[str | int] = []
    slots: list[str] = []
    spans: list[_Span] = []
    markers: list[tuple[int, int]] = []
    n_literal = 0  # literal characters emitted so far
    pos = 0
    for m in [*_TOKEN_RE.finditer(template), None]:
        text = template[pos:m.start() if m else len(template)]
        if any(ch in text for ch in "{}[]"):
            raise ValueError(f"stray brace or bracket in template {template!r}")
        _append(pieces, text)
        if len(markers) == 1:
            _append(phrase, text)
        n_literal += len(text)
        if m is None:
            break
        pos = m.end()
        if m.group(1) is not None:
            name = m.group(1)
            if name in NAME_PLACEHOLDERS:
                spans.append(_Span(_PERSON, (n_literal, len(slots)), (n_literal, len(slots) + 1),
                                   (len(slots),)))
            elif name not in VALUE_PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {{{name}}} in template {template!r}")
            _append(pieces, len(slots))
            if len(markers) == 1:
                _append(phrase, len(slots))
            slots.append(name)
        elif (m.group(0) == "[[") == (len(markers) % 2 == 0):
            markers.append((n_literal, len(slots)))
        else:
            raise ValueError(f"unbalanced [[ ]] in template {template!r}")
    if kind == "neutral" and markers:
        raise ValueError(f"a neutral template must not mark a revealing phrase: {template!r}")
    if kind != "neutral":
        if len(markers) != 2 or not phrase:
            raise ValueError(f"a {kind} template needs exactly one non-empty [[...]] phrase: {template!r}")
        spans.append(_Span(SPAN_KINDS.index(kind), markers[0], markers[1], tuple(phrase)))
    spans.sort(key=lambda s: (s.start[1], s.start[0], -s.end[1], -s.end[0]))
    return _Template(tuple(pieces), tuple(slots), tuple(spans))


def _compile_all() -> tuple[list[_Template], np.ndarray, np.ndarray]:
    if set(TEMPLATES) != set(LANGUAGES) or set(VALUES) != set(LANGUAGES):
        raise ValueError("TEMPLATES and VALUES must cover exactly LANGUAGES")
    templates: list[_Template] = []
    first = np.zeros((len(LANGUAGES), len(KINDS)), dtype=np.intp)
    count = np.zeros((len(LANGUAGES), len(KINDS)), dtype=np.intp)
    for li, lang in enumerate(LANGUAGES):
        if set(TEMPLATES[lang]) != set(KINDS) or not all(TEMPLATES[lang].values()):
            raise ValueError(f"templates for {lang!r} must cover exactly {KINDS}")
        for ki, kind in enumerate(KINDS):
            first[li, ki] = len(templates)
            count[li, ki] = len(TEMPLATES[lang][kind])
            templates.extend(_compile(t, kind) for t in TEMPLATES[lang][kind])
    return templates, first.ravel(), count.ravel()


_COMPILED, _PAIR_FIRST, _PAIR_COUNT = _compile_all()
_TEMPLATE_LANG = np.repeat(np.arange(len(LANGUAGES)), _PAIR_COUNT.reshape(len(LANGUAGES), -1).sum(axis=1))
_TEMPLATE_N_SPANS = np.array([len(t.spans) for t in _COMPILED], dtype=np.intp)
_VALUE_TABLES = {
    (lang, name): (np.array(vals, dtype=object), np.array([len(v) for v in vals], dtype=np.int64))
    for lang, table in VALUES.items()
    for name, vals in table.items()
}


# --------------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------------

def _codes(values: np.ndarray, valid: tuple[str, ...], what: str) -> np.ndarray:
    """Map ``values`` to indices into ``valid`` (hashing the column once, then the few uniques)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    lookup = {v: i for i, v in enumerate(valid)}
    mapped = np.array([lookup.get(u, -1) if isinstance(u, str) else -1 for u in uniques], dtype=np.intp)
    if (mapped < 0).any():
        bad = [repr(u) for u in uniques[mapped < 0]]
        shown = ", ".join(bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ValueError(f"unknown {what} {shown}; valid {what}s are: {', '.join(valid)}")
    return mapped[codes]


def _str_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as an object array of ``str`` and the length of each string."""
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        values = values.astype(str).astype(object)
    return values, np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def _concat(pieces: _Pieces, values: list[np.ndarray], size: int) -> np.ndarray:
    """Concatenate literal pieces and value arrays element-wise (object arrays of ``str``)."""
    out: np.ndarray | str = ""
    for piece in pieces:
        part = values[piece] if isinstance(piece, int) else piece
        out = part if isinstance(out, str) and not out else np.add(out, part)
    return np.full(size, out, dtype=object) if isinstance(out, str) else out


def _validate(languages, kinds, first_names, last_names, colleagues) -> list:
    """The five inputs as arrays (Arrow arrays of names kept as they are), checked for shape."""
    arrays = [a if isinstance(a, pa.Array | pa.ChunkedArray) else np.asarray(a)
              for a in (languages, kinds, first_names, last_names, colleagues)]
    if any(not isinstance(a, pa.Array | pa.ChunkedArray) and a.ndim != 1 for a in arrays):
        raise ValueError("all input arrays must be one-dimensional")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        got = ", ".join(f"{name}={length}" for name, length in zip(
            ("languages", "kinds", "first_names", "last_names", "colleagues"), lengths, strict=True))
        raise ValueError(f"input arrays must have the same length, got {got}")
    return arrays


class _Choice(NamedTuple):
    """Every random draw of a call, and the rows grouped by template."""
    draws: np.ndarray  # (1 + value placeholders) x rows
    tid: np.ndarray  # template of each row
    order: np.ndarray  # rows grouped by template, ascending within a group
    bounds: np.ndarray  # group t is order[bounds[t]:bounds[t + 1]]

    def groups(self):
        """(template number, rows) of every template that has rows."""
        for t in np.flatnonzero(self.bounds[1:] > self.bounds[:-1]):
            yield t, self.order[self.bounds[t]:self.bounds[t + 1]]


def _choose(languages: np.ndarray, kinds: np.ndarray, rng: np.random.Generator) -> _Choice:
    """All random draws up front, in a fixed order: template choice, then one per value placeholder."""
    lang = _codes(languages, LANGUAGES, "language")
    kind = _codes(kinds, KINDS, "kind")
    draws = rng.random((1 + len(VALUE_PLACEHOLDERS), len(lang)), dtype=np.float32)
    pair = lang * len(KINDS) + kind
    count = _PAIR_COUNT[pair]
    tid = _PAIR_FIRST[pair] + np.minimum((draws[0] * count).astype(np.intp), count - 1)
    # Group rows by template (stable, so rows stay ascending within a group).
    n_templates = len(_COMPILED)
    order = np.argsort(tid.astype(np.int16 if n_templates < 2**15 else np.int32), kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(tid, minlength=n_templates))))
    return _Choice(draws, tid, order, bounds)


def _value_pick(choice: _Choice, slot: str, idx: np.ndarray, size: int) -> np.ndarray:
    """Index into the value list of `slot` (of `size` values) for rows `idx`."""
    u = choice.draws[1 + VALUE_PLACEHOLDERS.index(slot), idx]
    return np.minimum((u * size).astype(np.intp), size - 1)


def compose_notes(
    languages: np.ndarray,
    kinds: np.ndarray,
    first_names: np.ndarray,
    last_names: np.ndarray,
    colleagues: np.ndarray,
    rng: np.random.Generator,
    spans: bool = True,
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Return one note per row and the spans of personal data placed in them.

    ``languages`` holds codes from :data:`LANGUAGES`, ``kinds`` values from :data:`KINDS`;
    ``first_names``/``last_names`` are the contact's names and ``colleagues`` the full name of a
    colleague who may be mentioned (non-string values are converted with ``str``).  All arrays
    must have the same length.  The same ``rng`` state gives the same output.

    Returns ``(notes, spans)``.  ``notes`` is an object array of ``str``.  ``spans`` has the
    columns ``row`` (int index into the inputs), ``kind`` (categorical with categories
    :data:`SPAN_KINDS`: ``"person_name"`` for the contact's or colleague's names, or the special
    category / ``"criminal"`` key for the phrase revealing it), ``start``, ``end`` (character
    offsets into that row's note, end exclusive) and ``text`` (``note[start:end]``, object
    dtype).  Spans are ordered by row, then start; a category span may enclose name spans.
    Empty names produce no span.  With ``spans=False`` they are not computed and ``None`` is
    returned in their place (the notes are the same).

    Raises ``ValueError`` for an unknown language or kind and for arrays of different lengths.
    """
    arrays = _validate(languages, kinds, first_names, last_names, colleagues)
    n = len(arrays[0])
    choice = _choose(arrays[0], arrays[1], rng)
    names = {key: _str_objects(np.asarray(a)) for key, a in zip(("first_name", "last_name", "colleague"),
                                                                arrays[2:], strict=True)}
    notes = np.empty(n, dtype=object)
    builder = _SpanBuilder(choice.tid) if spans else None
    for t, idx in choice.groups():
        template = _COMPILED[t]
        language = LANGUAGES[_TEMPLATE_LANG[t]]
        values, lens = [], []
        for slot in template.slots:
            if slot == "full_name":
                (first, first_len), (last, last_len) = names["first_name"], names["last_name"]
                values.append(np.add(np.add(first[idx], " "), last[idx]))
                lens.append(first_len[idx] + 1 + last_len[idx])
            elif slot in names:
                values.append(names[slot][0][idx])
                lens.append(names[slot][1][idx])
            else:
                table, table_lens = _VALUE_TABLES[language, slot]
                pick = _value_pick(choice, slot, idx, len(table))
                values.append(table[pick])
                lens.append(table_lens[pick])
        notes[idx] = _concat(template.pieces, values, len(idx))
        if builder is not None:
            builder.add(template, idx, values, lens)
    return notes, (builder.frame() if builder is not None else None)


class _SpanBuilder:
    """Spans written straight to their final position: by row, then in template order."""

    def __init__(self, tid: np.ndarray) -> None:
        self.n_spans = _TEMPLATE_N_SPANS[tid]
        self.first = np.cumsum(self.n_spans) - self.n_spans
        total = int(self.n_spans.sum())
        self.kind = np.empty(total, dtype=np.int8)
        self.start = np.empty(total, dtype=np.int64)
        self.end = np.empty(total, dtype=np.int64)
        self.text = np.empty(total, dtype=object)

    def add(self, template: _Template, idx: np.ndarray, values: list[np.ndarray],
            lens: list[np.ndarray]) -> None:
        # offset[:, k] = total length of the first k values, per row
        offset = np.zeros((len(idx), len(values) + 1), dtype=np.int64)
        if values:
            np.cumsum(np.column_stack(lens), axis=1, out=offset[:, 1:])
        for j, span in enumerate(template.spans):
            pos = self.first[idx] + j
            self.kind[pos] = span.kind
            self.start[pos] = span.start[0] + offset[:, span.start[1]]
            self.end[pos] = span.end[0] + offset[:, span.end[1]]
            self.text[pos] = _concat(span.text, values, len(idx))

    def frame(self) -> pd.DataFrame:
        span_row = np.repeat(np.arange(len(self.n_spans), dtype=np.int64), self.n_spans)
        cols = (span_row, self.kind, self.start, self.end, self.text)
        keep = (self.end > self.start) | (self.kind != _PERSON)
        if not keep.all():
            cols = tuple(a[keep] for a in cols)
        return pd.DataFrame({
            "row": cols[0],
            "kind": pd.Categorical.from_codes(cols[1], categories=list(SPAN_KINDS)),
            "start": cols[2],
            "end": cols[3],
            "text": pd.Series(cols[4], dtype=object, copy=False),
        })


def compose_notes_arrow(
    languages: np.ndarray,
    kinds: np.ndarray,
    first_names: np.ndarray | pa.Array,
    last_names: np.ndarray | pa.Array,
    colleagues: np.ndarray | pa.Array,
    rng: np.random.Generator,
) -> pa.Array:
    """The notes of :func:`compose_notes` (same inputs and ``rng`` state, same text) as an Arrow array.

    Built with Arrow's string kernels, so no Python string is made per note: for callers storing
    millions of notes in Arrow-backed columns.  Names may be given as Arrow string arrays; a missing
    name gives a missing note.  No spans.
    """
    arrays = _validate(languages, kinds, first_names, last_names, colleagues)
    choice = _choose(arrays[0], arrays[1], rng)
    names = dict(zip(("first_name", "last_name", "colleague"), map(_arrow_strings, arrays[2:]), strict=True))
    chunks = []
    for t, idx in choice.groups():
        template = _COMPILED[t]
        language = LANGUAGES[_TEMPLATE_LANG[t]]
        rows = pa.array(idx)
        values = []
        for slot in template.slots:
            if slot == "full_name":
                values.append(pc.binary_join_element_wise(names["first_name"].take(rows),
                                                          names["last_name"].take(rows), " "))
            elif slot in names:
                values.append(names[slot].take(rows))
            else:
                table = _arrow_values(language, slot)
                values.append(table.take(pa.array(_value_pick(choice, slot, idx, len(table)))))
        parts = [values[p] if isinstance(p, int) else p for p in template.pieces]
        chunks.append(pc.binary_join_element_wise(*parts, "") if values
                      else pa.array(["".join(parts)] * len(idx), type=pa.string()))
    if not chunks:
        return pa.array([], type=pa.string())
    inverse = np.empty(len(choice.order), dtype=np.intp)
    inverse[choice.order] = np.arange(len(choice.order))
    return pa.concat_arrays(chunks).take(pa.array(inverse))


def _arrow_strings(values: np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(_str_objects(values)[0], type=pa.string())


_ARROW_VALUES: dict[tuple[str, str], pa.Array] = {}


def _arrow_values(language: str, slot: str) -> pa.Array:
    if (language, slot) not in _ARROW_VALUES:
        _ARROW_VALUES[language, slot] = pa.array(_VALUE_TABLES[language, slot][0], type=pa.string())
    return _ARROW_VALUES[language, slot]
