{#-
  Countries: ISO 3166-1 alpha-2 code from a code or a name.

  Reference data. The aliases are embedded below and mirrored row for row by the seed `country_aliases`
  (alias_key, country_code); the data test `cdp_reference_seed_matches_macros` on the seed fails when the two
  differ, so edit both together. The reason for embedding rather than reading the seed at compile time is in
  macros/standardize/phone.sql (in short: dbt unit tests cannot serve a ref() read by run_query()).
  Each country has its alpha-2 code (implicit below), its alpha-3 code, its names in English, French, German,
  Spanish, Italian, Dutch and Portuguese and in its official languages when they are written in Latin script
  (CLDR), the ISO official names, and common extras (UK, EL, USA, Holland, England, République française,
  Bundesrepublik Deutschland, Schweizerische Eidgenossenschaft, Latin transliterations such as Hellas or
  Rossiya, ...). Names written in other scripts (Ελλάδα, Россия, المغرب) are not recognised: add their
  transliterations. Kosovo is XK, the code the EU and most systems use.

  An alias_key is the text lower-cased, without accents, with every character but a-z removed, so matching
  ignores case, accents, spaces and punctuation ("États-Unis" = "ETATS UNIS" = "etats-unis" = "U.S.A."-like
  spellings). Null tokens win over codes: "NA" (Namibia) and "NC" (New Caledonia) are read as "not available"
  and "non communiqué" by cdp.clean_text, which is what they mean in our sources.
-#}

{%- macro country_alias_reference() -%}
  {#- Each country code (upper case) is followed by its aliases other than its own alpha-2 code. -#}
  {%- set data -%}
    AD  and andorra andorre principalityofandorra
    AE  are unitedarabemirates emiratsarabesunis vereinigtearabischeemirate emiratosarabesunidos emiratiarabiuniti
        verenigdearabischeemiraten emiradosarabesunidos emirates emirats uae
    AF  afg afghanistan afganistan afeganistao islamicrepublicofafghanistan
    AG  atg antiguabarbuda antiguaetbarbuda antiguaundbarbuda antiguaybarbuda antiguaebarbuda antiguaenbarbuda
        antiguaandbarbuda
    AI  aia anguilla anguila
    AL  alb albania albanie albanien shqiperi republicofalbania
    AM  arm armenia armenie armenien republicofarmenia
    AO  ago angola republicofangola
    AQ  ata antarctica antarctique antarktis antartida antartide
    AR  arg argentina argentine argentinien argentinie argentinerepublic
    AS  asm americansamoa samoaamericaines amerikanischsamoa samoaamericana samoaamericane amerikaanssamoa
    AT  aut austria autriche osterreich oostenrijk republikosterreich republicofaustria
    AU  aus australia australie australien
    AW  abw aruba
    AX  ala alandislands ilesaland alandinseln islasaland isolealand aland ilhasaland
    AZ  aze azerbaijan azerbaidjan aserbaidschan azerbaiyan azerbaigian azerbeidzjan azerbaijao republicofazerbaijan
    BA  bih bosniaherzegovina bosnieherzegovine bosnienundherzegowina bosniayherzegovina bosniaederzegovina
        bosnieenherzegovina bosniaeherzegovina bosnia bosnie bosnaihercegovina bosniaandherzegovina
        republicofbosniaandherzegovina
    BB  brb barbados barbade
    BD  bgd bangladesh bangladesch banglades peoplesrepublicofbangladesh
    BE  bel belgium belgique belgien belgica belgio belgie konigreichbelgien koninkrijkbelgie royaumedebelgique
        kingdomofbelgium
    BF  bfa burkinafaso burquinafaso
    BG  bgr bulgaria bulgarie bulgarien bulgarije balgariya bulgariya republicofbulgaria
    BH  bhr bahrain bahrein barein kingdomofbahrain
    BI  bdi burundi uburundi republicofburundi
    BJ  ben benin republicofbenin
    BL  blm stbarthelemy saintbarthelemy sanbartolome saobartolomeu
    BM  bmu bermuda bermudes bermudas
    BN  brn brunei bruneidarussalam
    BO  bol bolivia bolivie bolivien boliviaplurinationalstateof plurinationalstateofbolivia
    BQ  bes caribbeannetherlands paysbascaribeens karibischeniederlande caribeneerlandes caraibiolandesi
        caribischnederland paisesbaixoscaribenhos bonairesinteustatiusandsaba
    BR  bra brazil bresil brasilien brasil brasile brazilie federativerepublicofbrazil
    BS  bhs bahamas commonwealthofthebahamas
    BT  btn bhutan bhoutan butan butao kingdomofbhutan
    BV  bvt bouvetisland ilebouvet bouvetinsel islabouvet isolabouvet bouveteiland ilhabouvet
    BW  bwa botswana botsuana republicofbotswana
    BY  blr belarus bielorussie bielorrusia bielorussia bielorrussia republicofbelarus
    BZ  blz belize belice
    CA  can canada kanada
    CC  cck cocoskeelingislands ilescocos kokosinseln islascocos isolecocoskeeling cocoseilanden ilhascocoskeeling
    CD  cod congokinshasa kongokinshasa republicademocraticadelcongo drc rdc republiquedemocratiqueducongo
        congothedemocraticrepublicofthe
    CF  caf centralafricanrepublic republiquecentrafricaine zentralafrikanischerepublik republicacentroafricana
        repubblicacentrafricana centraalafrikaanserepubliek kodorosesetibeafrika
    CG  cog congobrazzaville kongobrazzaville congo republicadocongo republiqueducongo republicofthecongo
    CH  che switzerland suisse schweiz suiza svizzera zwitserland suica confederationsuisse confederazionesvizzera
        confoederatiohelvetica helvetia schweizerischeeidgenossenschaft swiss schwiiz swissconfederation
    CI  civ cotedivoire costadavorio ivoorkust costadomarfim elfenbeinkuste ivorycoast republicofcotedivoire
    CK  cok cookislands ilescook cookinseln islascook isolecook cookeilanden ilhascook
    CL  chl chile chili cile republicofchile
    CM  cmr cameroon cameroun kamerun camerun kameroen camaroes republicofcameroon
    CN  chn china chine cina peoplesrepublicofchina prc republiquepopulairedechine zhongguo
    CO  col colombia colombie kolumbien republicofcolombia
    CR  cri costarica republicofcostarica
    CU  cub cuba kuba republicofcuba
    CV  cpv capeverde capvert caboverde capoverde kaapverdie republicofcaboverde
    CW  cuw curacao curazao korsou
    CX  cxr christmasisland ilechristmas weihnachtsinsel isladenavidad isolachristmas christmaseiland ilhachristmas
    CY  cyp cyprus chypre zypern chipre cipro kibris kypros republicofcyprus
    CZ  cze czechia tchequie tschechien chequia cechia tsjechie tchequia czechrepublic repubblicaceca republicacheca
        republiquetcheque tschechischerepublik tsjechischerepubliek cesko
    DE  deu germany allemagne deutschland alemania germania duitsland alemanha brd bundesrepublikdeutschland
        republiquefederaledallemagne rfa federalrepublicofgermany
    DJ  dji djibouti dschibuti yibuti gibuti djibuti republicofdjibouti
    DK  dnk denmark danemark dinamarca danimarca denemarken danmark kingdomofdenmark
    DM  dma dominica dominique commonwealthofdominica
    DO  dom dominicanrepublic republiquedominicaine dominikanischerepublik republicadominicana repubblicadominicana
        dominicaanserepubliek
    DZ  dza algeria algerie algerien argelia algerije aldjazair aljazair dzayer republiquealgerienne
        peoplesdemocraticrepublicofalgeria
    EC  ecu ecuador equateur equador republicofecuador
    EE  est estonia estonie estland eesti republicofestonia
    EG  egy egypt egypte agypten egipto egitto egito arabrepublicofegypt
    EH  esh westernsahara saharaoccidental westsahara saharaoccidentale westelijkesahara saaraocidental
    ER  eri eritrea erythree eritreia thestateoferitrea
    ES  esp spain espagne spanien espana spagna spanje espanha espagna kingdomofspain
    ET  eth ethiopia ethiopie athiopien etiopia federaldemocraticrepublicofethiopia
    FI  fin finland finlande finnland finlandia suomi republicoffinland
    FJ  fji fiji fidji fidschi fiyi figi republicoffiji
    FK  flk falklandislands ilesmalouines falklandinseln islasmalvinas isolefalkland falklandeilanden ilhasmalvinas
        falklandislandsmalvinas
    FM  fsm micronesia micronesie mikronesien federatedstatesofmicronesia micronesiafederatedstatesof
    FO  fro faroeislands ilesferoe faroer islasferoe isolefaeroer faeroer ilhasfaroe foroyar
    FR  fra france frankreich francia frankrijk franca francemetropolitaine metropolitanfrance republiquefrancaise
        frenchrepublic
    GA  gab gabon gabun gabao gaboneserepublic
    GB  gbr unitedkingdom royaumeuni vereinigteskonigreich reinounido regnounito verenigdkoninkrijk angleterre
        britain ecosse england granbretagna granbretana grandebretagne greatbritain grootbrittannie grossbritannien
        irlandedunord northernireland paysdegalles royaumeunidegrandebretagneetdirlandedunord scotland uk
        unitedkingdomofgreatbritainandnorthernireland wales
    GD  grd grenada grenade granada
    GE  geo georgia georgie georgien
    GF  guf frenchguiana guyanefrancaise franzosischguayana guayanafrancesa guyanafrancese fransguyana
        guianafrancesa
    GG  ggy guernsey guernesey
    GH  gha ghana gana republicofghana
    GI  gib gibraltar gibilterra
    GL  grl greenland groenland gronland groenlandia kalaallitnunaat
    GM  gmb gambia gambie republicofthegambia
    GN  gin guinea guinee guine republicofguinea
    GP  glp guadeloupe guadalupe guadalupa
    GQ  gnq equatorialguinea guineeequatoriale aquatorialguinea guineaecuatorial guineaequatoriale equatoriaalguinea
        guineequatorial republicofequatorialguinea
    GR  grc greece grece griechenland grecia griekenland el ellada ellas hellas hellenicrepublic
        republiquehellenique
    GS  sgs southgeorgiasouthsandwichislands georgiedusudetlesilessandwichdusud
        sudgeorgienunddiesudlichensandwichinseln islasgeorgiadelsurysandwichdelsur georgiadelsudesandwichaustrali
        zuidgeorgiaenzuidelijkesandwicheilanden ilhasgeorgiadosulesandwichdosul
        southgeorgiaandthesouthsandwichislands
    GT  gtm guatemala republicofguatemala
    GU  gum guam
    GW  gnb guineabissau guineebissau guineabisau guinebissau republicofguineabissau
    GY  guy guyana guiana republicofguyana
    HK  hkg hongkongsarchina raschinoisedehongkong sonderverwaltungsregionhongkong raedehongkongchina rasdihongkong
        hongkongsarvanchina hongkongraedachina hongkong hongkongspecialadministrativeregionofchina
    HM  hmd heardislandmcdonaldislands ilesheardetmacdonald heardundmcdonaldinseln islasheardymcdonald
        isoleheardemcdonald heardenmcdonaldeilanden ilhasheardemcdonald heardislandandmcdonaldislands
    HN  hnd honduras republicofhonduras
    HR  hrv croatia croatie kroatien croacia croazia kroatie hrvatska republicofcroatia
    HT  hti haiti republicofhaiti
    HU  hun hungary hongrie ungarn hungria ungheria hongarije magyarorszag
    ID  idn indonesia indonesie indonesien republicofindonesia
    IE  irl ireland irlande irland irlanda ierland eire republicofireland republiquedirlande
    IL  isr israel israele stateofisrael
    IM  imn isleofman iledeman islademan isoladiman ilhademan ellanvannin
    IN  ind india inde indien republicofindia
    IO  iot britishindianoceanterritory territoirebritanniquedeloceanindien britischesterritoriumimindischenozean
        territoriobritanicodeloceanoindico territoriobritannicodelloceanoindiano britsindischeoceaanterritorium
        territoriobritanicodooceanoindico
    IQ  irq iraq irak iraque republicofiraq
    IR  irn iran ira iranislamicrepublicof islamicrepublicofiran
    IS  isl iceland islande island islandia islanda ijsland republicoficeland
    IT  ita italy italie italien italia repubblicaitaliana italianrepublic
    JE  jey jersey
    JM  jam jamaica jamaique jamaika giamaica
    JO  jor jordan jordanie jordanien jordania giordania hashemitekingdomofjordan
    JP  jpn japan japon giappone japao nihon nippon
    KE  ken kenya kenia quenia republicofkenya
    KG  kgz kyrgyzstan kirghizstan kirgisistan kirguistan kirghizistan kirgizie quirguistao kyrgyzrepublic
    KH  khm cambodia cambodge kambodscha camboya cambogia cambodja camboja kingdomofcambodia
    KI  kir kiribati quiribati republicofkiribati
    KM  com comoros comores komoren comoras comore comoren unionofthecomoros
    KN  kna stkittsnevis saintchristopheetnieves stkittsundnevis sancristobalynieves saintkittsenevis
        saintkittsennevis saocristovaoenevis saintkittsandnevis
    KP  prk northkorea coreedunord nordkorea coreadelnorte coreadelnord noordkorea coreiadonorte
        democraticpeoplesrepublicofkorea koreademocraticpeoplesrepublicof
    KR  kor southkorea coreedusud sudkorea coreadelsur coreadelsud zuidkorea coreiadosul coree hanguk korea
        republicofkorea republiquedecoree korearepublicof
    KW  kwt kuwait koweit koeweit stateofkuwait
    KY  cym caymanislands ilescaimans kaimaninseln islascaiman isolecayman kaaimaneilanden ilhascayman
    KZ  kaz kazakhstan kasachstan kazajistan kazakistan kazachstan cazaquistao republicofkazakhstan
    LA  lao laos laopeoplesdemocraticrepublic
    LB  lbn lebanon liban libanon libano lebaneserepublic
    LC  lca stlucia saintelucie santalucia saintlucia
    LI  lie liechtenstein liachteschtai principalityofliechtenstein
    LK  lka srilanka democraticsocialistrepublicofsrilanka
    LR  lbr liberia republicofliberia
    LS  lso lesotho lesoto kingdomoflesotho
    LT  ltu lithuania lituanie litauen lituania litouwen lietuva republicoflithuania
    LU  lux luxembourg luxemburg luxemburgo lussemburgo grandduchedeluxembourg grandduchyofluxembourg letzebuerg
    LV  lva latvia lettonie lettland letonia lettonia letland latvija republicoflatvia
    LY  lby libya libye libyen libia libie
    MA  mar morocco maroc marokko marruecos marocco marrocos almaghrib kingdomofmorocco lmaghrib royaumedumaroc
    MC  mco monaco principautedemonaco principalityofmonaco
    MD  mda moldova moldavie republikmoldau moldavia republicamoldova moldovarepublicof republicofmoldova
    ME  mne montenegro crnagora
    MF  maf stmartin saintmartin sanmartin saomartinho saintmartinfrenchpart
    MG  mdg madagascar madagaskar madagasikara republicofmadagascar
    MH  mhl marshallislands ilesmarshall marshallinseln islasmarshall isolemarshall marshalleilanden ilhasmarshall
        republicofthemarshallislands
    MK  mkd northmacedonia macedoinedunord nordmazedonien macedoniadelnorte macedoniadelnord noordmacedonie
        macedoniadonorte fyrom macedoine macedonia mazedonien republicofnorthmacedonia
    ML  mli mali republicofmali
    MM  mmr myanmarburma myanmarbirmanie myanmar myanmarbirmania myanmarbirma mianmarbirmania birmanie burma
        republicofmyanmar
    MN  mng mongolia mongolie mongolei
    MO  mac macaosarchina raschinoisedemacao sonderverwaltungsregionmacau raedemacaochina rasdimacao
        macausarvanchina macauraedachina macao macaospecialadministrativeregionofchina
    MP  mnp northernmarianaislands ilesmariannesdunord nordlichemarianen islasmarianasdelnorte
        isolemariannesettentrionali noordelijkemarianen ilhasmarianasdonorte commonwealthofthenorthernmarianaislands
    MQ  mtq martinique martinica
    MR  mrt mauritania mauritanie mauretanien islamicrepublicofmauritania
    MS  msr montserrat
    MT  mlt malta malte republicofmalta
    MU  mus mauritius maurice mauricio republicofmauritius
    MV  mdv maldives malediven maldivas maldive maldiven republicofmaldives
    MW  mwi malawi malaui republicofmalawi
    MX  mex mexico mexique mexiko messico unitedmexicanstates
    MY  mys malaysia malaisie malasia maleisie
    MZ  moz mozambique mosambik mozambico mocambique republicofmozambique
    NA  nam namibia namibie republicofnamibia
    NC  ncl newcaledonia nouvellecaledonie neukaledonien nuevacaledonia nuovacaledonia nieuwcaledonie novacaledonia
    NE  ner niger republicoftheniger
    NF  nfk norfolkisland ilenorfolk norfolkinsel islanorfolk isolanorfolk norfolk ilhanorfolk
    NG  nga nigeria naijiria federalrepublicofnigeria
    NI  nic nicaragua republicofnicaragua
    NL  nld netherlands paysbas niederlande paisesbajos paesibassi nederland paisesbaixos holanda holland hollande
        koninkrijkdernederlanden olanda royaumedespaysbas thenetherlands kingdomofthenetherlands
    NO  nor norway norvege norwegen noruega norvegia noorwegen noreg norge kingdomofnorway
    NP  npl nepal federaldemocraticrepublicofnepal
    NR  nru nauru republicofnauru
    NU  niu niue
    NZ  nzl newzealand nouvellezelande neuseeland nuevazelanda nuovazelanda nieuwzeeland novazelandia aotearoa
    OM  omn oman oma sultanateofoman
    PA  pan panama republicofpanama
    PE  per peru perou republicofperu
    PF  pyf frenchpolynesia polynesiefrancaise franzosischpolynesien polinesiafrancesa polinesiafrancese
        franspolynesie tahiti
    PG  png papuanewguinea papouasienouvelleguinee papuaneuguinea papuanuevaguinea papuanuovaguinea
        papoeanieuwguinea papuanovaguine papuaniugini independentstateofpapuanewguinea
    PH  phl philippines philippinen filipinas filippine filipijnen pilipinas republicofthephilippines
    PK  pak pakistan paquistao islamicrepublicofpakistan
    PL  pol poland pologne polen polonia rzeczpospolitapolska polska republicofpoland
    PM  spm stpierremiquelon saintpierreetmiquelon stpierreundmiquelon sanpedroymiquelon saintpierreemiquelon
        saintpierreenmiquelon saopedroemiquelao saintpierreandmiquelon
    PN  pcn pitcairnislands ilespitcairn pitcairninseln islaspitcairn isolepitcairn pitcairneilanden ilhaspitcairn
        pitcairn
    PR  pri puertorico portorico
    PS  pse palestinianterritories territoirespalestiniens palastinensischeautonomiegebiete territoriospalestinos
        territoripalestinesi palestijnsegebieden palestine palestinestateof thestateofpalestine
    PT  prt portugal portogallo republicaportuguesa portugueserepublic
    PW  plw palau palaos republicofpalau
    PY  pry paraguay paraguai republicofparaguay
    QA  qat qatar katar catar stateofqatar
    RE  reu reunion lareunion riunione reuniao iledelareunion
    RO  rou romania roumanie rumanien rumania roemenie romenia
    RS  srb serbia serbie serbien servie servia srbija republicofserbia
    RU  rus russia russie russland rusia rusland federationderussie rossija rossiya russianfederation
        russischefoderation
    RW  rwa rwanda ruanda urwanda rwandeserepublic
    SA  sau saudiarabia arabiesaoudite saudiarabien arabiasaudi arabiasaudita saoediarabie kingdomofsaudiarabia
    SB  slb solomonislands ilessalomon salomonen islassalomon isolesalomone salomonseilanden ilhassalomao
    SC  syc seychelles seychellen seicheles republicofseychelles
    SD  sdn sudan soudan soedan sudao republicofthesudan
    SE  swe sweden suede schweden suecia svezia zweden sverige kingdomofsweden
    SG  sgp singapore singapour singapur singapura republicofsingapore
    SH  shn sthelenaascensiontristandacunha saintehelene sthelena santaelena santelena sinthelena santahelena
        sainthelenaascensionandtristandacunha
    SI  svn slovenia slovenie slowenien eslovenia slovenija republicofslovenia
    SJ  sjm svalbardjanmayen svalbardetjanmayen spitzbergenundjanmayen svalbardyjanmayen svalbardejanmayen
        spitsbergenenjanmayen svalbardogjanmayen svalbardandjanmayen
    SK  svk slovakia slovaquie slowakei eslovaquia slovacchia slowakije slovensko slovakrepublic
    SL  sle sierraleone sierraleona serraleoa republicofsierraleone
    SM  smr sanmarino saintmarin republicofsanmarino
    SN  sen senegal senegaal republicofsenegal
    SO  som somalia somalie soomaaliya federalrepublicofsomalia
    SR  sur suriname surinam republicofsuriname
    SS  ssd southsudan soudandusud sudsudan sudandelsur zuidsoedan sudaodosul republicofsouthsudan
    ST  stp saotomeprincipe saotomeetprincipe saotomeundprincipe santotomeyprincipe saotomeeprincipe
        saotomeenprincipe democraticrepublicofsaotomeandprincipe saotomeandprincipe
    SV  slv elsalvador salvador republicofelsalvador
    SX  sxm sintmaarten saintmartinpartieneerlandaise sintmaartendutchpart
    SY  syr syria syrie syrien siria syrianarabrepublic
    SZ  swz eswatini esuatini essuatini swaziland kingdomofeswatini
    TC  tca turkscaicosislands ilesturquesetcaiques turksundcaicosinseln islasturcasycaicos isoleturksecaicos
        turksencaicoseilanden ilhasturcasecaicos turksandcaicosislands
    TD  tcd chad tchad tschad ciad tsjaad chade republicofchad
    TF  atf frenchsouthernandantarcticlands terresaustralesfrancaises franzosischesudundantarktisgebiete
        territoriosaustralesfranceses terreaustralifrancesi fransegebiedenindezuidelijkeindischeoceaan
        territoriosfrancesesdosul frenchsouthernterritories
    TG  tgo togo togoleserepublic
    TH  tha thailand thailande tailandia thailandia kingdomofthailand
    TJ  tjk tajikistan tadjikistan tadschikistan tayikistan tagikistan tadzjikistan tadjiquistao
        republicoftajikistan
    TK  tkl tokelau
    TL  tls timorleste timororiental timorest oosttimor easttimor democraticrepublicoftimorleste
    TM  tkm turkmenistan turcomenistao
    TN  tun tunisia tunisie tunesien tunez tunesie republiquetunisienne tounes republicoftunisia
    TO  ton tonga kingdomoftonga
    TR  tur turkiye turquie turkei turquia turchia turkije turkey turkiyecumhuriyeti republicofturkiye
    TT  tto trinidadtobago triniteettobago trinidadundtobago trinidadytobago trinidadetobago trinidadentobago
        republicoftrinidadandtobago trinidadandtobago
    TV  tuv tuvalu
    TW  twn taiwan taiwanprovinceofchina
    TZ  tza tanzania tanzanie tansania tanzaniaunitedrepublicof unitedrepublicoftanzania
    UA  ukr ukraine ucrania ucraina oekraine
    UG  uga uganda ouganda oeganda republicofuganda
    UM  umi usoutlyingislands ilesmineureseloigneesdesetatsunis amerikanischeuberseeinseln
        islasmenoresalejadasdeeeuu isoleminoriesternedeglistatiuniti kleineafgelegeneilandenvandeverenigdestaten
        ilhasmenoresdistantesdoseua unitedstatesminoroutlyingislands
    US  usa unitedstates etatsunis vereinigtestaaten estadosunidos statiuniti verenigdestaten america amerique
        etatsunisdamerique unitedstatesofamerica vereinigtestaatenvonamerika
    UY  ury uruguay uruguai easternrepublicofuruguay
    UZ  uzb uzbekistan ouzbekistan usbekistan oezbekistan uzbequistao republicofuzbekistan
    VA  vat vaticancity etatdelaciteduvatican vatikanstadt ciudaddelvaticano cittadelvaticano vaticaanstad
        cidadedovaticano citeduvatican holysee saintsiege vatican vaticano holyseevaticancitystate
    VC  vct stvincentgrenadines saintvincentetlesgrenadines stvincentunddiegrenadinen sanvicenteylasgranadinas
        saintvincentegrenadine saintvincentendegrenadines saovicenteegranadinas saintvincentandthegrenadines
    VE  ven venezuela bolivarianrepublicofvenezuela venezuelabolivarianrepublicof
    VG  vgb britishvirginislands ilesviergesbritanniques britischejungferninseln islasvirgenesbritanicas
        isoleverginibritanniche britsemaagdeneilanden ilhasvirgensbritanicas virginislandsbritish
    VI  vir usvirginislands ilesviergesdesetatsunis amerikanischejungferninseln islasvirgenesdeeeuu
        isoleverginiamericane amerikaansemaagdeneilanden ilhasvirgensamericanas virginislandsoftheunitedstates
        virginislandsus
    VN  vnm vietnam vietna socialistrepublicofvietnam
    VU  vut vanuatu republicofvanuatu
    WF  wlf wallisfutuna wallisetfutuna wallisundfutuna wallisyfutuna wallisefutuna wallisenfutuna wallisandfutuna
    WS  wsm samoa independentstateofsamoa
    XK  kosovo kosova xkx kosove
    YE  yem yemen jemen iemen republicofyemen
    YT  myt mayotte
    ZA  zaf southafrica afriquedusud sudafrika sudafrica zuidafrika africadosul republicofsouthafrica
    ZM  zmb zambia zambie sambia republicofzambia
    ZW  zwe zimbabwe simbabwe zimbabue republicofzimbabwe
  {%- endset -%}
  {%- set aliases = {} -%}
  {%- set current = namespace(code=none) -%}
  {%- for token in data.split() -%}
    {%- if token == token | upper -%}
      {%- set current.code = token -%}
      {%- do aliases.update({token | lower: token}) -%}
    {%- else -%}
      {%- do aliases.update({token: current.code}) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(aliases) }}
{%- endmacro -%}


{#- The text as an alias_key: lower case, accents removed, nothing but a-z. -#}
{%- macro country_alias_key(expression) -%}
  {{ cdp.regexp_replace_all('lower(' ~ cdp.strip_accents(cdp.clean_text(expression)) ~ ')', '[^a-z]+', '') }}
{%- endmacro -%}


{#- ISO 3166-1 alpha-2 code of a country code or name in any of the languages above; null when unknown. -#}
{%- macro standardize_country(expression) -%}
  {%- if not execute %}{{ return('') }}{% endif -%}
  {{ return(adapter.dispatch('standardize_country', 'cdp')(expression)) }}
{%- endmacro -%}

{%- macro default__standardize_country(expression) -%}
  {{ cdp.lookup_value(cdp.country_alias_key(expression), cdp.country_alias_reference()) }}
{%- endmacro -%}


{#-
  The value a dict gives a text key expression, null when absent, written so that the key is evaluated once:
  a simple CASE by default, a JSON object on PostgreSQL, a map on DuckDB and Spark. Those two rewrite a simple
  CASE into "key = value" tests that copy the key expression into every branch: with 1,900 aliases a query
  took 7.6 s for 1,000 rows on DuckDB (0.1 s with the map) and did not finish planning in 7 minutes on Spark.
  The JSON object and the maps come from one string literal each (folded into a constant when the query is
  planned) rather than a literal per key and value: dbt's unit tests run sqlparse over the compiled model,
  and the 1,900 aliases were 12,000 of the 30,000 tokens of a staging model (about 40 % of its parse).
-#}
{%- macro lookup_value(key_expression, mapping) -%}
  {%- if mapping | length == 0 -%}{{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}{%- endif -%}
  {{ return(adapter.dispatch('lookup_value', 'cdp')(key_expression, mapping)) }}
{%- endmacro -%}

{%- macro default__lookup_value(key_expression, mapping) -%}
  case {{ key_expression }}
    {%- for key, value in mapping.items() -%}
      {{ "\n   " if loop.index0 % 8 == 0 }} when '{{ key | replace("'", "''") }}' then '{{ value | replace("'", "''") }}'
    {%- endfor %}
  end
{%- endmacro -%}

{%- macro postgres__lookup_value(key_expression, mapping) -%}
  ('{{ tojson(mapping) | replace("'", "''") }}'::jsonb ->> ({{ key_expression }}))
{%- endmacro -%}

{#- The keys and the values, each in one literal separated by spaces (no key or value may hold one). -#}
{%- macro lookup_lists(mapping) -%}
  {%- for text in mapping.keys() | list + mapping.values() | list if ' ' in text -%}
    {{ exceptions.raise_compiler_error("cdp.lookup_value: keys and values must not contain spaces, got '" ~ text ~ "'") }}
  {%- endfor -%}
  {{ return([mapping.keys() | join(' '), mapping.values() | join(' ')]) }}
{%- endmacro -%}

{#- map_extract returns a list (empty when the key is absent) on every DuckDB version. -#}
{%- macro duckdb__lookup_value(key_expression, mapping) -%}
  {%- set keys, values = cdp.lookup_lists(mapping) -%}
  map_extract(map(
    string_split('{{ keys | replace("'", "''") }}', ' '),
    string_split('{{ values | replace("'", "''") }}', ' ')
  ), {{ key_expression }})[1]
{%- endmacro -%}

{#- try_element_at: element_at raises on a missing key when ANSI mode has failOnElementNotExists. split() reads
    a regular expression: the space is one. -#}
{%- macro spark__lookup_value(key_expression, mapping) -%}
  {%- set keys, values = cdp.lookup_lists(mapping) -%}
  try_element_at(map_from_arrays(
    split('{{ keys | replace("\\", "\\\\") | replace("'", "\\'") }}', ' '),
    split('{{ values | replace("\\", "\\\\") | replace("'", "\\'") }}', ' ')
  ), {{ key_expression }})
{%- endmacro -%}


{#-
  Data test for the reference seeds: the seed must hold exactly the rows embedded in the macros (see above).
  `reference` is 'country_aliases' or 'country_calling_codes'. Returns the differing rows.
-#}
{% test cdp_reference_seed_matches_macros(model, reference) %}
  {%- if reference == 'country_aliases' -%}
    {%- set columns = ['alias_key', 'country_code'] -%}
    {%- set rows = [] -%}
    {%- for alias_key, country_code in cdp.country_alias_reference().items() -%}
      {%- do rows.append([alias_key, country_code]) -%}
    {%- endfor -%}
  {%- elif reference == 'country_calling_codes' -%}
    {%- set columns = ['country_code', 'calling_code', 'trunk_prefix', 'nsn_min_length', 'nsn_max_length'] -%}
    {%- set rows = [] -%}
    {%- for row in cdp.country_calling_code_reference() -%}
      {%- do rows.append([row.country_code, row.calling_code, row.trunk_prefix, row.nsn_min_length, row.nsn_max_length]) -%}
    {%- endfor -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("cdp_reference_seed_matches_macros: reference must be 'country_aliases' or 'country_calling_codes', got '" ~ reference ~ "'.") }}
  {%- endif -%}

  with

  embedded as (
      {{ cdp.reference_values(rows, columns) }}
  ),

  {#-
    Empty cells load as null, except on Spark with the session method, where dbt-spark 1.11 binds every seed
    value as the quoted text of its Python value: an empty cell arrives as 'None'.
  -#}
  seeded as (
      select
          {%- for column in columns %}
          coalesce(nullif(cast({{ column }} as {{ dbt.type_string() }}), 'None'), '') as {{ column }}{{ "," if not loop.last }}
          {%- endfor %}
      from {{ model }}
  ),

  missing_from_seed as (
      select * from embedded
      except
      select * from seeded
  ),

  missing_from_macros as (
      select * from seeded
      except
      select * from embedded
  ),

  final as (
      select 'embedded in the macros, not in the seed' as problem, * from missing_from_seed
      union all
      select 'in the seed, not embedded in the macros' as problem, * from missing_from_macros
  )

  select * from final
{% endtest %}


{#- A literal table of text columns. -#}
{%- macro reference_values(rows, columns) -%}
  {{ return(adapter.dispatch('reference_values', 'cdp')(rows, columns)) }}
{%- endmacro -%}

{%- macro default__reference_values(rows, columns) -%}
  select * from (values
    {%- for row in rows %}
    ({% for value in row %}'{{ value | string | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}){{ "," if not loop.last }}
    {%- endfor %}
  ) as reference_rows ({{ columns | join(', ') }})
{%- endmacro -%}
