//! Country names to ISO 3166-1 alpha-2 codes, so that "Iran", "IR", "Iran (Islamic Republic of)"
//! and "Islamic Republic of Iran" compare equal as evidence.

use std::collections::HashMap;
use std::sync::OnceLock;

/// `code:name|alias|…` lines; names are matched after [`key`] normalisation.
const TABLE: &str = "\
af:afghanistan
ax:aland islands
al:albania
dz:algeria
as:american samoa
ad:andorra
ao:angola
ai:anguilla
aq:antarctica
ag:antigua and barbuda|antigua
ar:argentina
am:armenia
aw:aruba
au:australia
at:austria
az:azerbaijan
bs:bahamas|the bahamas
bh:bahrain
bd:bangladesh
bb:barbados
by:belarus|byelorussia
be:belgium
bz:belize
bj:benin
bm:bermuda
bt:bhutan
bo:bolivia|bolivia plurinational state of|plurinational state of bolivia
ba:bosnia and herzegovina|bosnia herzegovina|bosnia
bw:botswana
br:brazil
io:british indian ocean territory
vg:british virgin islands|virgin islands british
bn:brunei|brunei darussalam
bg:bulgaria
bf:burkina faso
bi:burundi
cv:cabo verde|cape verde
kh:cambodia
cm:cameroon
ca:canada
ky:cayman islands
cf:central african republic
td:chad
cl:chile
cn:china|peoples republic of china|prc
cx:christmas island
co:colombia
km:comoros
cg:congo|republic of the congo|congo brazzaville|republic of congo
cd:democratic republic of the congo|congo democratic republic|drc|congo kinshasa|democratic republic of congo|zaire
ck:cook islands
cr:costa rica
ci:cote d ivoire|ivory coast|cote divoire
hr:croatia
cu:cuba
cw:curacao
cy:cyprus
cz:czechia|czech republic
dk:denmark
dj:djibouti
dm:dominica
do:dominican republic
ec:ecuador
eg:egypt
sv:el salvador
gq:equatorial guinea
er:eritrea
ee:estonia
sz:eswatini|swaziland
et:ethiopia
fk:falkland islands
fo:faroe islands
fj:fiji
fi:finland
fr:france
gf:french guiana
pf:french polynesia
ga:gabon
gm:gambia|the gambia
ge:georgia
de:germany|federal republic of germany
gh:ghana
gi:gibraltar
gr:greece
gl:greenland
gd:grenada
gp:guadeloupe
gu:guam
gt:guatemala
gg:guernsey
gn:guinea
gw:guinea bissau
gy:guyana
ht:haiti
va:holy see|vatican|vatican city
hn:honduras
hk:hong kong|hong kong sar|hong kong china
hu:hungary
is:iceland
in:india
id:indonesia
ir:iran|islamic republic of iran|iran islamic republic of
iq:iraq
ie:ireland
im:isle of man
il:israel
it:italy
jm:jamaica
jp:japan
je:jersey
jo:jordan
kz:kazakhstan
ke:kenya
ki:kiribati
kp:north korea|democratic peoples republic of korea|korea democratic peoples republic of|korea north|dprk
kr:south korea|republic of korea|korea republic of|korea south|korea
xk:kosovo
kw:kuwait
kg:kyrgyzstan|kyrgyz republic
la:laos|lao peoples democratic republic|lao pdr
lv:latvia
lb:lebanon
ls:lesotho
lr:liberia
ly:libya|libyan arab jamahiriya
li:liechtenstein
lt:lithuania
lu:luxembourg
mo:macao|macau
mg:madagascar
mw:malawi
my:malaysia
mv:maldives
ml:mali
mt:malta
mh:marshall islands
mq:martinique
mr:mauritania
mu:mauritius
yt:mayotte
mx:mexico
fm:micronesia|federated states of micronesia
md:moldova|republic of moldova
mc:monaco
mn:mongolia
me:montenegro
ms:montserrat
ma:morocco
mz:mozambique
mm:myanmar|burma
na:namibia
nr:nauru
np:nepal
nl:netherlands|the netherlands|holland
nc:new caledonia
nz:new zealand
ni:nicaragua
ne:niger
ng:nigeria
nu:niue
mk:north macedonia|macedonia|the former yugoslav republic of macedonia
mp:northern mariana islands
no:norway
om:oman
pk:pakistan
pw:palau
ps:palestine|state of palestine|palestinian territories|occupied palestinian territory|west bank|gaza
pa:panama
pg:papua new guinea
py:paraguay
pe:peru
ph:philippines
pn:pitcairn
pl:poland
pt:portugal
pr:puerto rico
qa:qatar
re:reunion
ro:romania
ru:russia|russian federation
rw:rwanda
bl:saint barthelemy
sh:saint helena
kn:saint kitts and nevis|st kitts and nevis
lc:saint lucia|st lucia
mf:saint martin
pm:saint pierre and miquelon
vc:saint vincent and the grenadines|st vincent and the grenadines
ws:samoa
sm:san marino
st:sao tome and principe
sa:saudi arabia|kingdom of saudi arabia
sn:senegal
rs:serbia
sc:seychelles
sl:sierra leone
sg:singapore
sx:sint maarten
sk:slovakia|slovak republic
si:slovenia
sb:solomon islands
so:somalia
za:south africa
ss:south sudan
es:spain
lk:sri lanka
sd:sudan
sr:suriname
sj:svalbard and jan mayen
se:sweden
ch:switzerland
sy:syria|syrian arab republic
tw:taiwan|taiwan province of china|republic of china
tj:tajikistan
tz:tanzania|united republic of tanzania|tanzania united republic of
th:thailand
tl:timor leste|east timor
tg:togo
tk:tokelau
to:tonga
tt:trinidad and tobago
tn:tunisia
tr:turkey|turkiye
tm:turkmenistan
tc:turks and caicos islands
tv:tuvalu
ug:uganda
ua:ukraine
ae:united arab emirates|uae
gb:united kingdom|uk|great britain|united kingdom of great britain and northern ireland|england|scotland|wales|northern ireland|britain
us:united states|united states of america|usa|us|america
uy:uruguay
uz:uzbekistan
vu:vanuatu
ve:venezuela|bolivarian republic of venezuela|venezuela bolivarian republic of
vn:vietnam|viet nam
vi:us virgin islands|virgin islands us
wf:wallis and futuna
eh:western sahara
ye:yemen
zm:zambia
zw:zimbabwe
su:soviet union|ussr
yu:yugoslavia
";

/// Demonyms seen in lists and forms ("Iranian", "Russian national").
const DEMONYMS: &str = "\
af:afghan
dz:algerian
ae:emirati
ar:argentine|argentinian
am:armenian
au:australian
at:austrian
az:azerbaijani
bh:bahraini
bd:bangladeshi
by:belarusian|belarussian
be:belgian
ba:bosnian
br:brazilian
bg:bulgarian
ca:canadian
cn:chinese
co:colombian
cu:cuban
cy:cypriot
cz:czech
dk:danish
eg:egyptian
er:eritrean
et:ethiopian
fr:french
de:german
gh:ghanaian
gr:greek
in:indian
id:indonesian
ir:iranian
iq:iraqi
ie:irish
il:israeli
it:italian
jp:japanese
jo:jordanian
kz:kazakh|kazakhstani
ke:kenyan
kw:kuwaiti
kg:kyrgyz
lb:lebanese
ly:libyan
my:malaysian
ml:malian
mx:mexican
ma:moroccan
mm:burmese
nl:dutch
ng:nigerian
kp:north korean
pk:pakistani
ps:palestinian
ph:filipino
pl:polish
pt:portuguese
qa:qatari
ru:russian
sa:saudi|saudi arabian
rs:serbian
so:somali
za:south african
kr:south korean
es:spanish
sd:sudanese
se:swedish
ch:swiss
sy:syrian
tw:taiwanese
tj:tajik
th:thai
tn:tunisian
tr:turkish
tm:turkmen
ua:ukrainian
gb:british
us:american
uz:uzbek
ve:venezuelan
vn:vietnamese
ye:yemeni|yemenite
zw:zimbabwean
";

fn key(s: &str) -> String {
    let ascii = any_ascii::any_ascii(s).to_ascii_lowercase();
    let cleaned: String = ascii
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|w| *w != "the" && *w != "national" && *w != "citizen")
        .collect::<Vec<_>>()
        .join(" ")
}

fn table() -> &'static HashMap<String, &'static str> {
    static TABLE_MAP: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for line in TABLE.lines().chain(DEMONYMS.lines()) {
            let Some((code, names)) = line.split_once(':') else {
                continue;
            };
            map.insert(code.to_string(), code);
            for name in names.split('|') {
                map.insert(key(name), code);
            }
        }
        map
    })
}

/// ISO alpha-2 code (lower case) for a country name, code or demonym, if recognised.
pub fn to_code(s: &str) -> Option<&'static str> {
    let k = key(s);
    if k.is_empty() {
        return None;
    }
    table().get(&k).copied()
}

/// The code when recognised, else the trimmed input lower-cased (so unknown values still
/// compare equal to themselves).
pub fn normalise(s: &str) -> String {
    match to_code(s) {
        Some(c) => c.to_string(),
        None => s.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_demonyms() {
        assert_eq!(to_code("Iran (Islamic Republic of)"), Some("ir"));
        assert_eq!(to_code("IR"), Some("ir"));
        assert_eq!(to_code("Russian Federation"), Some("ru"));
        assert_eq!(to_code("Democratic Republic of the Congo"), Some("cd"));
        assert_eq!(to_code("Côte d'Ivoire"), Some("ci"));
        assert_eq!(to_code("Iranian"), Some("ir"));
        assert_eq!(to_code("Atlantis"), None);
        assert_eq!(normalise("Atlantis "), "atlantis");
    }
}
