//! Places viewers name, as ISO 3166-1 alpha-2 region codes: "Manila" and "pinas" are PH.
//!
//! Names are matched on comments normalized as every rule reads them (lowercase,
//! accents kept, punctuation gone), as whole words. Two-letter codes are not read as
//! places ("ship to us" is not the United States), but for the few viewers write that way
//! ("uk", "sg", "kl", "hk", "nz").

/// A region: its code, the name the shop's replies use, and what viewers call it or its
/// big cities (lowercase, normalized, in several languages).
struct Region {
    code: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
}

#[rustfmt::skip]
const REGIONS: &[Region] = &[
    Region { code: "GB", name: "the UK", aliases: &["uk", "united kingdom", "england", "scotland", "wales", "northern ireland", "britain", "great britain", "london", "manchester", "manchesteru", "birmingham", "glasgow", "edinburgh", "aberdeen", "dundee", "inverness", "highlands", "the highlands", "cardiff", "swansea", "newport", "belfast", "derry", "londonderry", "newry", "lisburn", "leeds", "liverpool", "bristol", "newcastle", "sheffield", "nottingham", "leicester", "coventry", "slough", "brighton", "plymouth", "cornwall", "devon", "essex", "kent", "yorkshire", "reino unido", "inglaterra", "wielka brytania", "anglia", "szkocja", "marea britanie", "isle of wight", "orkney", "shetland", "stornoway", "omagh", "armagh", "york", "oxford", "cambridge", "norwich", "southampton", "portsmouth", "hull", "stoke", "bournemouth", "exeter", "sunderland", "middlesbrough", "blackpool", "preston", "bolton", "wigan", "luton", "milton keynes", "northampton", "derby", "wolverhampton"] },
    // The Crown Dependencies: not the UK to couriers and customs.
    Region { code: "JE", name: "Jersey", aliases: &["jersey", "st helier", "channel islands"] },
    Region { code: "GG", name: "Guernsey", aliases: &["guernsey", "st peter port", "alderney", "sark"] },
    Region { code: "IM", name: "the Isle of Man", aliases: &["isle of man", "iom"] },
    Region { code: "IE", name: "Ireland", aliases: &["ireland", "eire", "dublin", "cork", "irlanda", "donegal", "galway", "limerick", "waterford", "the republic", "republic of ireland"] },
    Region { code: "US", name: "the US", aliases: &["usa", "united states", "america", "the states", "estados unidos", "new york", "nyc", "los angeles", "california", "texas", "florida", "chicago", "miami", "hawaii", "new jersey", "washington", "seattle", "boston", "atlanta", "houston", "dallas", "las vegas", "philadelphia", "arizona", "ohio", "michigan", "colorado", "oregon", "nevada", "north carolina", "tennessee", "kentucky", "denver", "san francisco", "san diego", "phoenix", "detroit"] },
    Region { code: "CA", name: "Canada", aliases: &["canada", "canadá", "toronto", "vancouver", "montreal"] },
    Region { code: "MX", name: "Mexico", aliases: &["mexico", "méxico", "cdmx", "guadalajara", "monterrey", "puebla", "tijuana", "cancún", "cancun", "querétaro", "queretaro", "oaxaca"] },
    Region { code: "AU", name: "Australia", aliases: &["australia", "aus", "sydney", "melbourne", "brisbane"] },
    Region { code: "NZ", name: "New Zealand", aliases: &["new zealand", "nz", "auckland", "nueva zelanda"] },
    Region { code: "PH", name: "the Philippines", aliases: &["philippines", "the philippines", "pilipinas", "pinas", "filipinas", "manila", "metro manila", "ncr", "quezon city", "cebu", "davao", "makati", "taguig", "pasig", "luzon", "mindanao", "visayas"] },
    Region { code: "SG", name: "Singapore", aliases: &["singapore", "sg", "singapur", "tampines", "jurong", "woodlands", "punggol", "yishun", "bedok", "sengkang", "ang mo kio", "toa payoh", "pasir ris"] },
    Region { code: "MY", name: "Malaysia", aliases: &["malaysia", "kuala lumpur", "kl", "penang", "johor", "selangor", "johor bahru", "jb", "ipoh", "melaka", "malacca", "sabah", "sarawak", "kuching", "kota kinabalu", "shah alam", "putrajaya", "petaling jaya", "klang", "seremban"] },
    Region { code: "ID", name: "Indonesia", aliases: &["indonesia", "jakarta", "bali", "surabaya", "bandung"] },
    Region { code: "TH", name: "Thailand", aliases: &["thailand", "bangkok", "tailandia", "phuket", "chiang mai"] },
    Region { code: "VN", name: "Vietnam", aliases: &["vietnam", "viet nam", "hanoi", "ho chi minh", "saigon"] },
    Region { code: "HK", name: "Hong Kong", aliases: &["hong kong", "hk"] },
    Region { code: "TW", name: "Taiwan", aliases: &["taiwan", "taipei"] },
    Region { code: "JP", name: "Japan", aliases: &["japan", "japón", "japon", "tokyo", "osaka"] },
    Region { code: "KR", name: "South Korea", aliases: &["korea", "south korea", "corea", "seoul"] },
    Region { code: "CN", name: "China", aliases: &["china", "beijing", "shanghai", "shenzhen"] },
    Region { code: "IN", name: "India", aliases: &["india", "mumbai", "delhi", "bangalore", "chennai", "kolkata", "hyderabad", "pune", "jaipur", "punjab", "ahmedabad", "lucknow", "chandigarh"] },
    Region { code: "PK", name: "Pakistan", aliases: &["pakistan", "karachi", "lahore", "islamabad", "rawalpindi", "faisalabad"] },
    Region { code: "AE", name: "the UAE", aliases: &["uae", "emirates", "united arab emirates", "dubai", "abu dhabi"] },
    Region { code: "SA", name: "Saudi Arabia", aliases: &["saudi", "saudi arabia", "riyadh", "jeddah"] },
    Region { code: "QA", name: "Qatar", aliases: &["qatar", "doha"] },
    Region { code: "NG", name: "Nigeria", aliases: &["nigeria", "lagos", "abuja"] },
    Region { code: "KE", name: "Kenya", aliases: &["kenya", "nairobi"] },
    Region { code: "ZA", name: "South Africa", aliases: &["south africa", "sudáfrica", "johannesburg", "cape town", "durban"] },
    Region { code: "EG", name: "Egypt", aliases: &["egypt", "cairo", "egipto"] },
    Region { code: "FR", name: "France", aliases: &["france", "francia", "paris", "lyon", "marseille"] },
    Region { code: "DE", name: "Germany", aliases: &["germany", "deutschland", "alemania", "berlin", "munich", "hamburg"] },
    Region { code: "ES", name: "Spain", aliases: &["spain", "españa", "espana", "madrid", "barcelona", "valencia", "sevilla", "seville", "málaga", "malaga", "bilbao", "tenerife", "canarias", "islas canarias", "mallorca", "ibiza", "zaragoza", "alicante", "murcia", "granada", "galicia", "cataluña", "catalunya", "andalucía", "andalucia", "asturias", "valladolid", "vigo", "gijón", "gijon"] },
    Region { code: "PT", name: "Portugal", aliases: &["portugal", "lisbon", "lisboa", "porto"] },
    Region { code: "IT", name: "Italy", aliases: &["italy", "italia", "rome", "roma", "milan", "milano"] },
    Region { code: "NL", name: "the Netherlands", aliases: &["netherlands", "the netherlands", "holland", "holanda", "amsterdam", "rotterdam"] },
    Region { code: "BE", name: "Belgium", aliases: &["belgium", "bélgica", "brussels", "antwerp"] },
    Region { code: "CH", name: "Switzerland", aliases: &["switzerland", "suiza", "zurich", "geneva"] },
    Region { code: "AT", name: "Austria", aliases: &["austria", "vienna", "wien"] },
    Region { code: "SE", name: "Sweden", aliases: &["sweden", "suecia", "stockholm"] },
    Region { code: "NO", name: "Norway", aliases: &["norway", "noruega", "oslo"] },
    Region { code: "DK", name: "Denmark", aliases: &["denmark", "dinamarca", "copenhagen"] },
    Region { code: "FI", name: "Finland", aliases: &["finland", "helsinki"] },
    Region { code: "PL", name: "Poland", aliases: &["poland", "polonia", "polska", "polski", "polsce", "warsaw", "warszawa", "warszawy", "krakow", "kraków", "krakowa", "gdańsk", "wrocław", "poznań", "poznan", "łódź", "lodz", "szczecin", "lublin", "katowice", "gdynia", "białystok", "bialystok", "gdansk", "wroclaw", "toruń", "torun", "rzeszów", "rzeszow"] },
    Region { code: "RO", name: "Romania", aliases: &["romania", "românia", "rumania", "bucharest", "bucurești", "bucuresti", "cluj", "iași", "iasi", "constanța", "constanta", "timișoara", "timisoara", "brașov", "brasov", "craiova", "oradea", "sibiu", "galați", "galati", "ploiești", "ploiesti"] },
    Region { code: "GR", name: "Greece", aliases: &["greece", "grecia", "athens"] },
    Region { code: "TR", name: "Turkey", aliases: &["turkey", "türkiye", "turkiye", "turquía", "istanbul"] },
    Region { code: "RU", name: "Russia", aliases: &["russia", "rusia", "moscow"] },
    Region { code: "UA", name: "Ukraine", aliases: &["ukraine", "ucrania", "kyiv", "kiev"] },
    Region { code: "BR", name: "Brazil", aliases: &["brazil", "brasil", "são paulo", "sao paulo", "rio de janeiro"]  },
    Region { code: "AR", name: "Argentina", aliases: &["argentina", "buenos aires", "rosario", "mendoza"] },
    Region { code: "CL", name: "Chile", aliases: &["chile", "santiago", "valparaíso", "valparaiso", "concepción"] },
    Region { code: "CO", name: "Colombia", aliases: &["colombia", "bogotá", "bogota", "medellín", "medellin", "barranquilla"] },
    Region { code: "PE", name: "Peru", aliases: &["peru", "perú", "lima", "arequipa", "cusco"] },
    Region { code: "VE", name: "Venezuela", aliases: &["venezuela", "caracas"] },
    Region { code: "EC", name: "Ecuador", aliases: &["ecuador", "quito", "guayaquil"] },
    Region { code: "GT", name: "Guatemala", aliases: &["guatemala"] },
    Region { code: "DO", name: "the Dominican Republic", aliases: &["dominican republic", "república dominicana", "republica dominicana", "santo domingo"] },
    Region { code: "PR", name: "Puerto Rico", aliases: &["puerto rico"] },
    Region { code: "JM", name: "Jamaica", aliases: &["jamaica"] },
    Region { code: "EU", name: "Europe", aliases: &["europe", "europa", "the continent"] },
    // Anywhere abroad: a shop that ships to one country cannot say yes.
    Region { code: "ZZ", name: "abroad", aliases: &["internationally", "international", "worldwide", "abroad", "overseas", "outside the uk", "outside uk"] },
];

/// Whether `code` is a region this table knows.
pub fn known(code: &str) -> bool {
    REGIONS.iter().any(|r| r.code == code)
}

/// The name replies use for a region ("the Philippines"); the code itself if unknown.
pub fn name(code: &str) -> &str {
    REGIONS.iter().find(|r| r.code == code).map_or(code, |r| r.name)
}

/// The built-in names of places, with their regions (for matching).
pub fn aliases() -> impl Iterator<Item = (&'static str, &'static str)> {
    REGIONS.iter().flat_map(|r| r.aliases.iter().map(move |a| (*a, r.code)))
}

/// A list of regions as a sentence: "the UK", "the UK and Ireland", "the UK, Ireland and France".
pub fn sentence(codes: &[String]) -> String {
    let names: Vec<&str> = codes.iter().map(|c| name(c)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::text::normalize;

    #[test]
    fn every_alias_is_already_normalized_and_unique() {
        let mut seen = std::collections::HashMap::new();
        for (alias, code) in aliases() {
            assert_eq!(normalize(alias), alias, "{alias} must be written as comments are normalized");
            if let Some(other) = seen.insert(alias, code) {
                panic!("{alias} is both {other} and {code}");
            }
        }
        assert!(REGIONS.iter().all(|r| r.code.len() == 2 && r.code.chars().all(|c| c.is_ascii_uppercase())));
    }

    #[test]
    fn regions_read_as_a_sentence() {
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(sentence(&codes(&["GB"])), "the UK");
        assert_eq!(sentence(&codes(&["GB", "IE"])), "the UK and Ireland");
        assert_eq!(sentence(&codes(&["GB", "IE", "FR"])), "the UK, Ireland and France");
        assert_eq!(sentence(&codes(&["QQ"])), "QQ");
        assert_eq!(name("PH"), "the Philippines");
        assert!(known("PH") && !known("XX"));
    }
}
