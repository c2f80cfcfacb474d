<?xml version="1.0" encoding="UTF-8"?>
<!--
  rules.xsl: the "Règles" screen: the DUA table in force (tableau de
  gestion) and, for an archivist or an admin, the form that sends a new
  one; the preview of a sent table (rules added, dropped or changed,
  units whose age or DUA end would change) with the form that confirms
  its import; a refused file with its file:line and reason.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:variable name="imports" select="/*/user/@role = 'archivist' or /*/user/@role = 'admin'"/>

  <xsl:template match="rules" mode="title">
    <xsl:choose>
      <xsl:when test="preview">Règles : aperçu du nouveau tableau de gestion</xsl:when>
      <xsl:otherwise>Règles de gestion</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="rules" mode="main">
    <xsl:if test="@imported">
      <p id="imported" class="ok" role="status">Le nouveau tableau de gestion est en vigueur : version <xsl:value-of select="@imported"/>.
        Les âges et dates de fin de DUA des unités ont été recalculés.</p>
    </xsl:if>
    <xsl:if test="error">
      <div id="error" class="warning" role="alert">
        <p>Le fichier est refusé ; rien n'a été modifié.</p>
        <p><code id="error-text"><xsl:value-of select="error"/></code></p>
      </div>
    </xsl:if>
    <xsl:apply-templates select="preview"/>
    <xsl:if test="$imports and not(preview)">
      <form method="post" action="/ui/rules/preview" enctype="multipart/form-data" id="send">
        <xsl:call-template name="csrf"/>
        <fieldset>
          <legend>Remplacer le tableau de gestion</legend>
          <p>Le fichier CSV (colonnes RuleId, RuleType, RuleValue, RuleDescription, RuleDuration, RuleMeasurement,
            et au choix FinalAction, StartEvent, Domain, CurrentDuration, CurrentMeasurement) est d'abord lu et ses effets
            sont montrés ; rien n'est importé avant votre confirmation.</p>
          <p><label for="csv">Fichier CSV du nouveau tableau de gestion</label>
            <input type="file" id="csv" name="csv" accept=".csv,text/csv" required="required"/></p>
          <p><button type="submit">Voir les effets…</button></p>
        </fieldset>
      </form>
    </xsl:if>
    <section aria-labelledby="h-table">
      <h2 id="h-table">Tableau en vigueur</h2>
      <p id="version" data-version="{version/@n}">Version <strong><xsl:value-of select="version/@n"/></strong>
        importée le <xsl:value-of select="version/@created"/> par <xsl:value-of select="version/@agent"/>
        (fichier <xsl:value-of select="version/@source"/>, <xsl:value-of select="version/@rules"/> règles).</p>
      <table id="rules">
        <caption>Règles du tableau de gestion, version <xsl:value-of select="version/@n"/></caption>
        <xsl:call-template name="rule-head"/>
        <tbody><xsl:apply-templates select="table/rule" mode="row"/></tbody>
      </table>
    </section>
  </xsl:template>

  <xsl:template name="rule-head">
    <thead>
      <tr>
        <th scope="col">Identifiant</th>
        <th scope="col">Type</th>
        <th scope="col">Intitulé</th>
        <th scope="col">Durée</th>
        <th scope="col">Sort final</th>
        <th scope="col">Durée d'utilité courante</th>
        <th scope="col">Point de départ</th>
      </tr>
    </thead>
  </xsl:template>

  <xsl:template match="rule" mode="row">
    <tr data-rule="{id}">
      <th scope="row"><xsl:value-of select="id"/></th>
      <td><xsl:call-template name="type"><xsl:with-param name="t" select="type"/></xsl:call-template></td>
      <td><xsl:value-of select="value"/><xsl:if test="description"><br/><small><xsl:value-of select="description"/></small></xsl:if></td>
      <td class="duration"><xsl:call-template name="duration"/></td>
      <td><xsl:call-template name="final"><xsl:with-param name="f" select="final"/></xsl:call-template></td>
      <td><xsl:for-each select="current"><xsl:call-template name="span"><xsl:with-param name="n" select="@n"/><xsl:with-param name="m" select="@measure"/></xsl:call-template></xsl:for-each></td>
      <td><xsl:value-of select="start-event"/></td>
    </tr>
  </xsl:template>

  <xsl:template name="duration">
    <xsl:choose>
      <xsl:when test="unlimited">illimitée</xsl:when>
      <xsl:when test="duration"><xsl:call-template name="span"><xsl:with-param name="n" select="duration/@n"/><xsl:with-param name="m" select="duration/@measure"/></xsl:call-template></xsl:when>
      <xsl:otherwise>—</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="span">
    <xsl:param name="n"/>
    <xsl:param name="m"/>
    <xsl:value-of select="$n"/><xsl:text> </xsl:text>
    <xsl:choose>
      <xsl:when test="$m = 'YEAR' and $n &gt; 1">ans</xsl:when>
      <xsl:when test="$m = 'YEAR'">an</xsl:when>
      <xsl:when test="$m = 'MONTH'">mois</xsl:when>
      <xsl:when test="$m = 'DAY' and $n &gt; 1">jours</xsl:when>
      <xsl:when test="$m = 'DAY'">jour</xsl:when>
      <xsl:otherwise><xsl:value-of select="$m"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="final">
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="$f = 'Keep'">conservation</xsl:when>
      <xsl:when test="$f = 'Destroy'">destruction</xsl:when>
      <xsl:when test="$f = 'Sort'">tri</xsl:when>
      <xsl:otherwise><xsl:value-of select="$f"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="type">
    <xsl:param name="t"/>
    <xsl:choose>
      <xsl:when test="$t = 'AppraisalRule'">DUA (sort final)</xsl:when>
      <xsl:when test="$t = 'StorageRule'">durée d'utilité courante</xsl:when>
      <xsl:when test="$t = 'AccessRule'">communicabilité</xsl:when>
      <xsl:when test="$t = 'DisseminationRule'">diffusion</xsl:when>
      <xsl:when test="$t = 'ReuseRule'">réutilisation</xsl:when>
      <xsl:when test="$t = 'ClassificationRule'">classification</xsl:when>
      <xsl:when test="$t = 'HoldRule'">gel</xsl:when>
      <xsl:otherwise><xsl:value-of select="$t"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="preview">
    <xsl:variable name="ch" select="changes"/>
    <div id="preview" class="warning" role="status">
      <p>Rien n'a encore été importé. Le fichier envoyé compte <strong><xsl:value-of select="@rules"/></strong> règles
        (tableau en vigueur : version <xsl:value-of select="@base"/>).</p>
      <p>S'il est importé, au <xsl:value-of select="@date"/> :
        <strong id="preview-units" data-value="{$ch/@total}"><xsl:value-of select="$ch/@total"/></strong> unité(s) changeraient d'âge ou de date de fin de DUA,
        dont <span id="preview-ages" data-value="{$ch/@ages}"><xsl:value-of select="$ch/@ages"/></span> changeraient d'âge.</p>
    </div>
    <section aria-labelledby="h-diff">
      <h2 id="h-diff">Règles modifiées</h2>
      <xsl:choose>
        <xsl:when test="diff/*">
          <table id="diff">
            <caption>Différences avec le tableau en vigueur</caption>
            <thead>
              <tr>
                <th scope="col">Identifiant</th>
                <th scope="col">Changement</th>
                <th scope="col">Intitulé</th>
                <th scope="col">Durée actuelle</th>
                <th scope="col">Nouvelle durée</th>
                <th scope="col">Sort final actuel</th>
                <th scope="col">Nouveau sort final</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="diff/*">
                <xsl:variable name="o" select="self::changed/old | self::removed"/>
                <xsl:variable name="n" select="self::changed/new | self::added"/>
                <tr data-rule="{($n | $o)/id}">
                  <th scope="row"><xsl:value-of select="($n | $o)/id"/></th>
                  <td><xsl:choose>
                    <xsl:when test="self::added">ajoutée</xsl:when>
                    <xsl:when test="self::removed">supprimée</xsl:when>
                    <xsl:otherwise>modifiée</xsl:otherwise>
                  </xsl:choose></td>
                  <td><xsl:value-of select="($n | $o)[last()]/value"/></td>
                  <td><xsl:for-each select="$o"><xsl:call-template name="duration"/></xsl:for-each></td>
                  <td class="new-duration"><xsl:for-each select="$n"><xsl:call-template name="duration"/></xsl:for-each></td>
                  <td><xsl:call-template name="final"><xsl:with-param name="f" select="$o/final"/></xsl:call-template></td>
                  <td><xsl:call-template name="final"><xsl:with-param name="f" select="$n/final"/></xsl:call-template></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p id="diff">Aucune règle ne diffère du tableau en vigueur.</p></xsl:otherwise>
      </xsl:choose>
    </section>
    <section aria-labelledby="h-changes">
      <h2 id="h-changes">Unités concernées</h2>
      <xsl:choose>
        <xsl:when test="$ch/change">
          <table id="changes">
            <caption>Unités dont l'âge ou la fin de DUA changerait
              <xsl:if test="$ch/@total &gt; $ch/@shown"> (les <xsl:value-of select="$ch/@shown"/> premières sur <xsl:value-of select="$ch/@total"/>)</xsl:if></caption>
            <thead>
              <tr>
                <th scope="col">Unité</th>
                <th scope="col">Identifiant</th>
                <th scope="col">Âge actuel</th>
                <th scope="col">Nouvel âge</th>
                <th scope="col">Fin de DUA actuelle</th>
                <th scope="col">Nouvelle fin de DUA</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$ch/change">
                <tr data-unit="{unit}">
                  <th scope="row"><xsl:value-of select="title"/></th>
                  <td><a href="/ui/units/{unit}"><code><xsl:value-of select="unit"/></code></a></td>
                  <td><xsl:call-template name="age"><xsl:with-param name="a" select="age"/></xsl:call-template></td>
                  <td><xsl:call-template name="age"><xsl:with-param name="a" select="new_age"/></xsl:call-template></td>
                  <td><xsl:value-of select="end_date"/><xsl:if test="not(end_date)">—</xsl:if></td>
                  <td class="new-end"><xsl:value-of select="new_end_date"/><xsl:if test="not(new_end_date)">—</xsl:if></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p id="changes">Aucune unité ne changerait d'âge ni de date de fin de DUA.</p></xsl:otherwise>
      </xsl:choose>
    </section>
    <form method="post" action="/ui/rules/import" id="confirm">
      <xsl:call-template name="csrf"/>
      <input type="hidden" name="base" value="{@base}"/>
      <input type="hidden" name="csv" value="{csv}"/>
      <p><button type="submit">Importer ce tableau</button>
        <a href="/ui/rules">Annuler</a></p>
    </form>
  </xsl:template>
</xsl:stylesheet>
